-- Script wrk : parcourt en boucle les chemins du fichier CBW_WRK_PATHS
-- (un par ligne, ex. « /api/contacts?page=17 »), chaque fil à partir d'un
-- point différent. Les en-têtes de la ligne de commande (-H) sont gardés.
local paths = {}
local f = assert(io.open(os.getenv("CBW_WRK_PATHS"), "r"))
for line in f:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
f:close()

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("start", threads * 7919)
end

local i = 0
function init(args)
  i = (start or 0) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end
