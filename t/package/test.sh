#!/usr/bin/env bash
# Test du paquet Debian sur cette machine (root nécessaire) :
#   construction (dpkg-buildpackage) de la version de l'arbre et d'une
#   version suivante avec une migration de plus, lintian sans E:/W:,
#   « apt-get install ./chatbot-whatsapp_*.deb », compte créé par la CLI,
#   connexion à travers le lighttpd installé (sa configuration, un port de
#   boucle locale), envoi par le vrai démon cron sous www-data vers le faux
#   WhatsApp, mise à jour (données gardées, migration appliquée,
#   sauvegarde), désinstallation puis purge (rien sous /etc/chatbot-whatsapp
#   ni /var/lib/chatbot-whatsapp, lighttpd démarre encore).
# Remet la machine comme avant : paquets ajoutés purgés, modules lighttpd
# désactivés s'ils ne l'étaient pas, processus arrêtés, dossiers effacés.
# Sortie : une ligne « ok N - ... » ou « not ok N - ... » par vérification,
# puis « # pass P » et « # fail F ». Code de retour 0 si tout passe.
set -euo pipefail
shopt -s inherit_errexit

ROOT=${CBW_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PKG=chatbot-whatsapp
PORT=${CBW_PACKAGE_PORT:-18931}
SPORT=${CBW_PACKAGE_SANDBOX_PORT:-18932}
CONF=/etc/$PKG/$PKG.conf
DATA=/var/lib/$PKG
DB=$DATA/$PKG.db
T=$(mktemp -d /tmp/cbw-package.XXXXXX)
PASS=0 FAIL=0 N=0
LPID= SPID= CPID=
PRE_PKGS=$T/pkgs.before
PRE_MODS=$T/mods.before
RUN_DIR_MADE=0

export DEBIAN_FRONTEND=noninteractive

# --- petits outils ---------------------------------------------------------

# Note une vérification : ok si la commande réussit.
check() {
	local what=$1; shift
	N=$((N + 1))
	if "$@" >"$T/check.out" 2>&1; then
		PASS=$((PASS + 1)); echo "ok $N - $what"
	else
		FAIL=$((FAIL + 1)); echo "not ok $N - $what"
		tail -n 20 "$T/check.out" | sed 's/^/#   /'
	fi
}

# Arrête tout : une étape indispensable a échoué.
fatal() {
	N=$((N + 1)); FAIL=$((FAIL + 1))
	echo "not ok $N - $*"
	exit 1
}

# Égalité de deux chaînes, avec les deux valeurs en cas d'écart.
eq() {
	[ "$1" = "$2" ] || { echo "attendu « $2 », reçu « $1 »"; return 1; }
}

# Propriétaire:groupe et droits d'un chemin (ex. « www-data:www-data 750 »).
owner_mode() { stat -c '%U:%G %a' "$1"; }

# Valeur d'une clé du fichier de configuration installé.
conf_get() { sed -nE "s/^$1=(.*)$/\1/p" "$CONF" | tail -n1; }

# Fixe une clé du fichier de configuration (comme un admin l'éditerait).
conf_set() {
	if grep -qE "^#?$1=" "$CONF"; then
		sed -i -E "s|^#?$1=.*$|$1=$2|" "$CONF"
	else
		printf '%s=%s\n' "$1" "$2" >>"$CONF"
	fi
}

# Requête SQL en lecture sur la base installée.
sql() { sqlite3 -readonly "$DB" "$1"; }

# Requête HTTP vers le lighttpd de test : curl avec le corps dans $T/body
# et le code HTTP sur la sortie.
http() {
	local method=$1 path=$2; shift 2
	curl -sS -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method" \
		"http://127.0.0.1:$PORT$path" "$@"
}

# Attend (au plus $2 secondes) que la commande $3... réussisse.
wait_for() {
	local what=$1 secs=$2 i; shift 2
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "délai dépassé : $what" >&2
	return 1
}

# --- état initial et remise en état -----------------------------------------

# Paquets installés et modules lighttpd activés avant le test.
snapshot() {
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' |
		awk '$1 == "ii" { print $2 }' | sort >"$PRE_PKGS"
	ls /etc/lighttpd/conf-enabled/ 2>/dev/null | sort >"$PRE_MODS" || true
}

# Arrête les processus lancés, purge ce qui a été ajouté, efface $T.
cleanup() {
	local p added
	set +e
	for p in $CPID $LPID $SPID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pkill -u www-data -f '/usr/libexec/chatbot-whatsapp/' 2>/dev/null
	if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -qv 'not-installed'; then
		apt-get purge -y -qq "$PKG" >/dev/null 2>&1
	fi
	added=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' |
		awk '$1 == "ii" { print $2 }' | sort | comm -13 "$PRE_PKGS" -)
	[ -n "$added" ] && apt-get purge -y -qq $added >/dev/null 2>&1
	for p in $(ls /etc/lighttpd/conf-enabled/ 2>/dev/null | sort | comm -13 "$PRE_MODS" -); do
		rm -f "/etc/lighttpd/conf-enabled/$p"
	done
	[ "$RUN_DIR_MADE" = 1 ] && rm -rf /run/lighttpd
	rm -rf "$T"
}

# --- construction -----------------------------------------------------------

# Copie l'arbre (fichiers suivis et nouveaux, sans les ignorés) dans $1.
copy_tree() {
	mkdir -p "$1"
	(cd "$ROOT" && git ls-files -co --exclude-standard -z |
		tar --null -cf - -T -) | tar -xf - -C "$1"
}

# Construit le paquet de l'arbre $1 ; les .deb arrivent dans son parent.
build_pkg() {
	(cd "$1" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
		dpkg-buildpackage -us -uc -b) >"$1.build.log" 2>&1 ||
		{ tail -n 40 "$1.build.log"; return 1; }
}

# Prépare la version suivante : une migration de plus et une entrée de
# journal des modifications (version 0.1.0 → 0.1.0+pkgtest1).
next_version() {
	local src=$1 v
	v=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
	cat >"$src/db/migrations/9999_package_upgrade_probe.sql" <<'EOF'
-- Migration ajoutée par t/package/test.sh pour tester la mise à jour.
CREATE TABLE package_upgrade_probe (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO package_upgrade_probe (note) VALUES ('mise à jour appliquée');
EOF
	{ printf '%s (%s+pkgtest1) unstable; urgency=medium\n\n' "$PKG" "$v"
	  printf '  * Test package upgrade.\n\n'
	  printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Maintainer)" \
		"$(date -R)"
	  cat "$src/debian/changelog"; } >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
}

# --- services de test ------------------------------------------------------

# lighttpd installé avec la configuration du système, sur 127.0.0.1:$PORT
# (la même configuration, port, adresse et fichier pid changés).
start_lighttpd() {
	sed -e "s|^server.port[[:space:]]*=.*|server.port = $PORT\nserver.bind = \"127.0.0.1\"|" \
	    -e "s|^server.pid-file[[:space:]]*=.*|server.pid-file = \"$T/lighttpd.pid\"|" \
	    -e '/use-ipv6.pl/d' \
	    /etc/lighttpd/lighttpd.conf >"$T/lighttpd.conf"
	if [ ! -d /run/lighttpd ]; then
		install -d -o www-data -g www-data -m 0750 /run/lighttpd
		RUN_DIR_MADE=1
	fi
	/usr/sbin/lighttpd -D -f "$T/lighttpd.conf" 2>>"$T/lighttpd.stderr" &
	LPID=$!
	wait_for "lighttpd" 10 curl -s -o /dev/null "http://127.0.0.1:$PORT/"
}

stop_lighttpd() {
	[ -n "$LPID" ] || return 0
	kill "$LPID" 2>/dev/null || true
	wait "$LPID" 2>/dev/null || true
	LPID=
}

# Faux WhatsApp (t/sandbox) : jeton et numéro d'envoi donnés.
start_sandbox() {
	node "$ROOT/t/sandbox/sandbox.mjs" --port "$SPORT" --token pkgtoken \
		--phone-id 100000000000077 >"$T/sandbox.log" 2>&1 &
	SPID=$!
	wait_for "faux WhatsApp" 10 grep -q '^SANDBOX_READY' "$T/sandbox.log"
}

# Messages reçus par le faux WhatsApp pour le numéro $1 (sans « + »).
sandbox_count() {
	curl -s "http://127.0.0.1:$SPORT/__sandbox/messages?to=$1" |
		node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).messages.length))'
}

# Champ JSON $1 (chemin a.b) du dernier corps reçu.
body_json() {
	node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));let v=o;for(const k of process.argv[2].split("."))v=v?.[k];console.log(v??"")' "$T/body" "$1"
}

# Commande d'une ligne de /etc/cron.d/chatbot-whatsapp (après l'utilisateur).
cron_command() {
	grep -E "$1" "/etc/cron.d/$PKG" | head -n1 | cut -f3-
}

# --- le test ---------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || { echo "# test du paquet ignoré : il faut être root (apt install)"; exit 77; }
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok'; then
	echo "# $PKG est déjà installé sur cette machine : test refusé (il le purgerait)" >&2
	exit 1
fi
snapshot
trap cleanup EXIT

echo "# construction de la version de l'arbre et de la suivante"
copy_tree "$T/v1/$PKG"
copy_tree "$T/v2/$PKG"
next_version "$T/v2/$PKG"
check "dpkg-buildpackage -b (version de l'arbre)" build_pkg "$T/v1/$PKG"
check "dpkg-buildpackage -b (version suivante, une migration de plus)" build_pkg "$T/v2/$PKG"
DEB1=$(ls "$T"/v1/${PKG}_*.deb) || fatal "pas de .deb construit"
DEB2=$(ls "$T"/v2/${PKG}_*.deb) || fatal "pas de .deb (version suivante)"

lintian_clean() {
	lintian --fail-on error,warning "$T"/v1/${PKG}_*.changes
}
check "lintian : aucune erreur ni avertissement" lintian_clean

echo "# installation : apt-get install ./$(basename "$DEB1")"
install_deb() {
	apt-get install -y -q "$1" >"$T/apt.log" 2>&1 ||
		{ apt-get update -qq && apt-get install -y -q "$1" >"$T/apt.log" 2>&1; }
}
check "apt-get install du .deb" install_deb "$DEB1" || true
dpkg-query -W -f='${Status}' "$PKG" | grep -q 'install ok installed' ||
	{ cat "$T/apt.log"; fatal "paquet non installé"; }

check "programmes dans /usr/libexec/$PKG" test -x /usr/libexec/$PKG/cbw-auth -a -x /usr/libexec/$PKG/cbw-sender -a -x /usr/libexec/$PKG/cbw-webhooks
check "chatbot-whatsapp-admin dans le PATH avec sa page de manuel" \
	sh -c 'command -v chatbot-whatsapp-admin && man -w chatbot-whatsapp-admin'
check "configuration 0640 root:www-data" eq "$(owner_mode "$CONF")" "root:www-data 640"
SECRET=$(conf_get SECRET_KEY)
VERIFY=$(conf_get WHATSAPP_VERIFY_TOKEN)
check "SECRET_KEY généré (64 hex)" grep -qE '^SECRET_KEY=[0-9a-f]{64}$' "$CONF"
check "WHATSAPP_VERIFY_TOKEN généré, différent de SECRET_KEY" \
	sh -c "[ \${#1} -eq 64 ] && [ \"\$1\" != \"\$2\" ]" _ "$VERIFY" "$SECRET"
check "l'installation dit comment créer le premier compte" grep -q 'chatbot-whatsapp-admin create-user' "$T/apt.log"
check "secrets jamais affichés par l'installation" sh -c "! grep -qF -e '$SECRET' -e '$VERIFY' '$T/apt.log'"
check "$DATA : www-data 0750" eq "$(owner_mode "$DATA")" "www-data:www-data 750"
check "base créée par www-data et migrée" sh -c "
	[ \"\$(stat -c %U '$DB')\" = www-data ] &&
	[ \"\$(sqlite3 -readonly '$DB' 'SELECT count(*) FROM schema_migrations')\" = \
	  \"\$(ls /usr/share/$PKG/migrations/*.sql | wc -l)\" ]"
check "site activé dans lighttpd (avec fastcgi)" \
	test -L /etc/lighttpd/conf-enabled/50-$PKG.conf -a -e /etc/lighttpd/conf-enabled/10-fastcgi.conf
check "lighttpd -tt accepte la configuration du système" lighttpd -tt -f /etc/lighttpd/lighttpd.conf
check "/etc/cron.d/$PKG : envoi et reprise chaque minute sous www-data" \
	grep -qE '^\* \* \* \* \*	www-data	.*cbw-retry.*cbw-sender' /etc/cron.d/$PKG

echo "# premier super admin par la CLI (lancée en root)"
create_admin() {
	printf 'Motdepasse-Paquet-2026\n' |
		chatbot-whatsapp-admin create-user --email admin@paquet.example --role super_admin
}
check "chatbot-whatsapp-admin create-user" create_admin
check "compte en base" eq "$(sql "SELECT role FROM users WHERE email='admin@paquet.example'")" super_admin
check "base, -wal et -shm restent à www-data après la CLI en root" sh -c "
	for f in '$DB' '$DB-wal' '$DB-shm'; do
		[ ! -e \"\$f\" ] || [ \"\$(stat -c %U \"\$f\")\" = www-data ] || { echo \"\$f\"; exit 1; }
	done"

echo "# le site à travers le lighttpd installé, port $PORT"
start_lighttpd || fatal "lighttpd ne démarre pas ($(tail -n 5 "$T/lighttpd.stderr" 2>/dev/null))"
check "GET /login : 200, page en français" sh -c "
	[ \"\$(curl -s -o '$T/login.html' -w '%{http_code}' http://127.0.0.1:$PORT/login)\" = 200 ] &&
	grep -q 'Connexion' '$T/login.html'"
check "GET /static/app.css : 200 avec les en-têtes de sécurité" sh -c "
	curl -s -D - -o /dev/null http://127.0.0.1:$PORT/static/app.css | tr -d '\r' >'$T/h' &&
	grep -q '^HTTP/1.1 200' '$T/h' && grep -qi '^X-Frame-Options: DENY' '$T/h' &&
	grep -qi '^Content-Security-Policy:' '$T/h'"
code=$(http POST /api/auth/login -H 'Content-Type: application/json' \
	--data '{"email":"admin@paquet.example","password":"Motdepasse-Paquet-2026"}')
check "POST /api/auth/login : 200" eq "$code" 200
TOKEN=$(body_json access_token)
code=$(http GET /api/auth/me -H "Authorization: Bearer $TOKEN")
check "GET /api/auth/me : le super admin" sh -c "[ '$code' = 200 ] && grep -q 'admin@paquet.example' '$T/body'"
code=$(http POST /api/auth/login -H 'Content-Type: application/json' \
	--data '{"email":"admin@paquet.example","password":"mauvais"}')
check "mauvais mot de passe : 401" eq "$code" 401

echo "# envoi par le démon cron, sous www-data, vers le faux WhatsApp"
start_sandbox || fatal "le faux WhatsApp ne démarre pas"
conf_set GRAPH_BASE_URL "http://127.0.0.1:$SPORT"
conf_set WHATSAPP_ACCESS_TOKEN pkgtoken
conf_set WHATSAPP_PHONE_NUMBER_ID 100000000000077
code=$(http POST /api/categories -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data '{"name":"Clients du paquet"}')
CAT=$(body_json id)
check "catégorie créée : 201" eq "$code" 201
code=$(http POST /api/contacts -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data "{\"country_code\":\"+33\",\"phone_number\":\"612345678\",\"first_name\":\"Léa\",\"category_ids\":[$CAT]}")
check "contact créé : 201" eq "$code" 201
code=$(http POST /api/campaigns -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data "{\"name\":\"Lancement paquet\",\"category_ids\":[$CAT],\"message_1\":\"Bonjour {{first_name}}\",\"launch\":true}")
check "campagne lancée : 201" eq "$code" 201
check "Message 1 en file" eq "$(sql "SELECT status FROM messages")" pending
cron -f -L 15 >"$T/cron.log" 2>&1 &
CPID=$!
check "le démon cron envoie le Message 1 en moins de 80 s" \
	wait_for "envoi par cron" 80 sh -c "[ \"\$(sqlite3 -readonly '$DB' \"SELECT status FROM messages\")\" = sent ]"
check "le faux WhatsApp a reçu exactement un message pour ce numéro" eq "$(sandbox_count 33612345678)" 1
# Journal des tâches cron : créé 0640 par postinst, sans erreur dedans.
cron_log_ok() {
	eq "$(owner_mode /var/log/$PKG/cron.log)" "www-data:adm 640" &&
		! grep -E '"level": ?"(ERROR|CRITICAL)"' /var/log/$PKG/cron.log
}
check "journal des tâches cron : www-data:adm 0640, sans erreur" cron_log_ok
kill "$CPID" 2>/dev/null || true; wait "$CPID" 2>/dev/null || true; CPID=
pkill -u www-data -f "/usr/libexec/$PKG/cbw-sender" 2>/dev/null || true

echo "# mise à jour : apt-get install ./$(basename "$DEB2")"
USERS_BEFORE=$(sql "SELECT count(*) FROM users")
MSGS_BEFORE=$(sql "SELECT count(*) FROM messages WHERE status='sent'")
check "apt-get install de la version suivante" install_deb "$DEB2"
check "version suivante installée" sh -c "dpkg-query -W -f='\${Version}' $PKG | grep -q 'pkgtest1'"
check "migration nouvelle appliquée" eq "$(sql "SELECT note FROM package_upgrade_probe")" "mise à jour appliquée"
check "données gardées (comptes, messages envoyés)" eq \
	"$(sql "SELECT count(*) FROM users")/$(sql "SELECT count(*) FROM messages WHERE status='sent'")" \
	"$USERS_BEFORE/$MSGS_BEFORE"
check "secrets gardés" eq "$(conf_get SECRET_KEY)/$(conf_get WHATSAPP_VERIFY_TOKEN)" "$SECRET/$VERIFY"
check "réglages de l'admin gardés" eq "$(conf_get GRAPH_BASE_URL)" "http://127.0.0.1:$SPORT"
check "sauvegarde prise avant la migration, intègre" sh -c "
	f=\$(ls $DATA/backups/$PKG-*.db | head -n1) &&
	[ \"\$(sqlite3 -readonly \"\$f\" 'PRAGMA integrity_check')\" = ok ] &&
	[ \"\$(sqlite3 -readonly \"\$f\" \"SELECT count(*) FROM sqlite_master WHERE name='package_upgrade_probe'\")\" = 0 ]"
stop_lighttpd
start_lighttpd || fatal "lighttpd ne redémarre pas après la mise à jour"
code=$(http POST /api/auth/login -H 'Content-Type: application/json' \
	--data '{"email":"admin@paquet.example","password":"Motdepasse-Paquet-2026"}')
check "connexion après la mise à jour : 200" eq "$code" 200

echo "# désinstallation (sans purge) puis purge"
stop_lighttpd
check "apt-get remove" apt-get remove -y -q "$PKG"
check "site retiré de lighttpd, configuration valide" sh -c "
	[ ! -e /etc/lighttpd/conf-enabled/50-$PKG.conf ] && lighttpd -tt -f /etc/lighttpd/lighttpd.conf"
check "données et configuration gardées jusqu'à la purge" test -s "$DB" -a -s "$CONF"
RETRY_CMD=$(cron_command 'cbw-retry')
check "ligne cron muette après la désinstallation" sh -c "
	out=\$(runuser -u www-data -- sh -c '$RETRY_CMD' 2>&1); [ -z \"\$out\" ]"
check "apt-get purge" apt-get purge -y -q "$PKG"
check "rien sous /etc/$PKG ni $DATA ni /var/log/$PKG" sh -c "
	[ ! -e /etc/$PKG ] && [ ! -e $DATA ] && [ ! -e /var/log/$PKG ] && [ ! -e /etc/cron.d/$PKG ]"
check "aucun dpkg-statoverride laissé" sh -c "! dpkg-statoverride --list | grep -q $PKG"
check "lighttpd démarre encore après la purge" sh -c "lighttpd -tt -f /etc/lighttpd/lighttpd.conf"
start_lighttpd && check "lighttpd répond après la purge (pas de 5xx)" sh -c "
	c=\$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$PORT/); [ \"\$c\" -lt 500 ]"
stop_lighttpd

echo "# pass $PASS"
echo "# fail $FAIL"
[ "$FAIL" -eq 0 ]
