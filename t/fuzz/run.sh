#!/usr/bin/env bash
# Cibles libFuzzer (clang, ASan + UBSan) : construit chaque t/fuzz/fuzz_*.c,
# puis les lance chacune pendant $1 secondes (défaut 10), plusieurs à la fois.
#
#   t/fuzz/run.sh [secondes] [cible...]      (toutes les cibles par défaut)
#
# Variables :
#   CBW_FUZZ_JOBS     cibles lancées en même temps (défaut : nproc)
#   CBW_FUZZ_MERGE    1 : verser les nouvelles entrées utiles du corpus de
#                     travail dans t/fuzz/corpus/<cible> (-merge=1, corpus
#                     gardé minimal, voir merge_corpus) ; 0 : non ; défaut :
#                     oui à partir de 60 s par cible (./dev fuzz), non pour
#                     les courtes passes de ./dev test
#   CBW_FUZZ_TIMEOUT  secondes au plus par entrée (défaut 30)
#   CBW_FUZZ_OUT      dossier de construction et des journaux (build/fuzz)
#
# Le code de lib/ (sauf app.c, FastCGI) et les enveloppes t/fuzz/in_*.c sont
# compilés une fois en une archive, liée à chaque cible. Options en plus
# d'une cible : t/fuzz/<cible>.options (une ligne) et dictionnaire
# t/fuzz/<cible>.dict s'ils existent.
#
# À la fin : tableau cible | secondes | exécutions | taille du corpus |
# couverture (cov: finale, et gain pendant la passe) | résultat, affiché et
# écrit dans $CBW_FUZZ_OUT/summary.md. Un plantage (ou une fuite, un délai
# dépassé, un manque de mémoire) : chemin de l'entrée fautive affiché, code 1.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-10}
shift $(($# > 0 ? 1 : 0))
OUT=${CBW_FUZZ_OUT:-$ROOT/build/fuzz}
JOBS=${CBW_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
TIMEOUT=${CBW_FUZZ_TIMEOUT:-30}
MERGE=${CBW_FUZZ_MERGE:-}
case $SECS in ''|*[!0-9]*) echo "run.sh : durée invalide « $SECS »" >&2; exit 2 ;; esac
if [ -z "$MERGE" ]; then
	if [ "$SECS" -ge 60 ]; then MERGE=1; else MERGE=0; fi
fi
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1

if [ $# -gt 0 ]; then
	TARGETS=("$@")
else
	TARGETS=()
	for src in "$ROOT"/t/fuzz/fuzz_*.c; do
		TARGETS+=("$(basename "$src" .c)")
	done
fi
for t in "${TARGETS[@]}"; do
	[ -f "$ROOT/t/fuzz/$t.c" ] || { echo "run.sh : cible inconnue $t" >&2; exit 2; }
done

mkdir -p "$OUT/obj" "$OUT/results" "$OUT/artifacts"
echo '#define CBW_TEST_CLOCK 1' >"$OUT/autoconfig.h"
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -iquote $ROOT/lib -iquote $ROOT/t/fuzz -I$OUT"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
LIBS="-lsqlite3 -ljson-c -lcrypt -lcurl -lm"
export CFLAGS SAN OUT

# --- Construction ----------------------------------------------------------
# Un objet est refait s'il est plus ancien que sa source, qu'un en-tête, un
# programme fcgi/ (inclus par les enveloppes) ou que ce script.
newest=$(ls -t "$ROOT"/lib/*.h "$ROOT"/t/fuzz/*.h "$ROOT"/fcgi/*.c "$0" | head -1)
flags_file="$OUT/obj/flags"
if [ "$(cat "$flags_file" 2>/dev/null)" != "$CFLAGS $SAN" ]; then
	rm -f "$OUT"/obj/*.o
	echo "$CFLAGS $SAN" >"$flags_file"
fi
stale=()
objs=()
for src in "$ROOT"/lib/*.c "$ROOT"/t/fuzz/in_*.c; do
	[ "$(basename "$src")" = app.c ] && continue
	case $src in */t/fuzz/*) obj="$OUT/obj/fuzz-$(basename "$src" .c).o" ;;
	*) obj="$OUT/obj/$(basename "$src" .c).o" ;; esac
	objs+=("$obj")
	if [ ! "$obj" -nt "$src" ] || [ ! "$obj" -nt "$newest" ]; then
		stale+=("$src|$obj")
	fi
done
compile() {
	# shellcheck disable=SC2086
	clang $CFLAGS $SAN -fsanitize=fuzzer-no-link -c "${1%%|*}" -o "${1##*|}" \
	    2>"${1##*|}.err" || { cat "${1##*|}.err" >&2; rm -f "${1##*|}"; exit 1; }
}
export -f compile
if [ ${#stale[@]} -gt 0 ]; then
	echo "fuzz : compilation de ${#stale[@]} fichiers ($JOBS à la fois)"
	if ! printf '%s\n' "${stale[@]}" | xargs -P "$JOBS" -I{} bash -c 'compile "$1"' _ {}; then
		echo "ÉCHEC : compilation" >&2
		exit 1
	fi
	rm -f "$OUT/libcbwfuzz.a"
fi
if [ ! -f "$OUT/libcbwfuzz.a" ]; then
	ar rcs "$OUT/libcbwfuzz.a" "${objs[@]}" || exit 1
fi
build_target() {
	local name=$1 root=$2 libs=$3
	# shellcheck disable=SC2086
	clang $CFLAGS $SAN -fsanitize=fuzzer "$root/t/fuzz/$name.c" \
	    "$OUT/libcbwfuzz.a" $libs -o "$OUT/$name" 2>"$OUT/$name.build.log" ||
	    { echo "ÉCHEC : construction de $name" >&2; cat "$OUT/$name.build.log" >&2; exit 1; }
}
export -f build_target
if ! printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c \
    'build_target "$1" "$2" "$3"' _ {} "$ROOT" "$LIBS"; then
	exit 1
fi

# --- Passes ----------------------------------------------------------------
# Verse le corpus de travail dans t/fuzz/corpus/<cible> en le gardant
# minimal : -merge=1 choisit, parmi le corpus gardé et les nouvelles
# entrées, un plus petit ensemble qui garde toute la couverture ; il
# remplace les entrées nommées par leur empreinte (40 chiffres
# hexadécimaux). Les graines nommées à la main (exemples réalistes,
# entrées de plantages corrigés) restent toujours.
merge_corpus() {
	local name=$1 bin="$OUT/$1" work="$OUT/work-$1" corpus="$ROOT/t/fuzz/corpus/$1"
	local new="$OUT/merge-$1" f h seeds opts=()
	if [ -f "$ROOT/t/fuzz/$name.options" ]; then
		read -r -a opts <"$ROOT/t/fuzz/$name.options"
	fi
	rm -rf "$new"
	mkdir -p "$new"
	"$bin" -merge=1 -timeout="$TIMEOUT" -rss_limit_mb=2048 "${opts[@]}" \
	    "$new" "$corpus" "$work" >"$OUT/$name.merge.log" 2>&1 || return 1
	seeds=$(find "$corpus" -regextype posix-extended -type f \
	    ! -regex '.*/[0-9a-f]{40}' -exec sha1sum {} + | cut -d' ' -f1)
	find "$corpus" -regextype posix-extended -type f \
	    -regex '.*/[0-9a-f]{40}' -delete
	for f in "$new"/*; do
		[ -f "$f" ] || continue
		h=$(basename "$f")
		case $seeds in *"$h"*) continue ;; esac
		cp "$f" "$corpus/$h"
	done
	rm -rf "$new"
}
export -f merge_corpus

# Une passe : corpus de travail neuf (les nouvelles entrées y vont), corpus
# gardé en lecture ; résultat dans results/<cible> (champs séparés par |).
run_one() {
	local name=$1 bin="$OUT/$1" work="$OUT/work-$1" corpus="$ROOT/t/fuzz/corpus/$1"
	local log="$OUT/$1.log" opts=() before after start end rc=0 result=ok
	local execs cov0 cov1 cov art="" line
	rm -rf "$work"
	mkdir -p "$work" "$corpus"
	rm -f "$OUT/artifacts/$name-"*
	if [ -f "$ROOT/t/fuzz/$name.options" ]; then
		read -r -a opts <"$ROOT/t/fuzz/$name.options"
	fi
	[ -f "$ROOT/t/fuzz/$name.dict" ] && opts+=("-dict=$ROOT/t/fuzz/$name.dict")
	before=$(find "$corpus" -type f | wc -l)
	start=$(date +%s)
	"$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout="$TIMEOUT" \
	    -rss_limit_mb=2048 -artifact_prefix="$OUT/artifacts/$name-" \
	    "${opts[@]}" "$work" "$corpus" >"$log" 2>&1 || rc=$?
	end=$(date +%s)
	if [ $rc -ne 0 ]; then
		if grep -q 'ERROR: libFuzzer: timeout' "$log"; then result=TIMEOUT
		elif grep -q 'out-of-memory' "$log"; then result=OOM
		elif grep -q 'ERROR: LeakSanitizer' "$log"; then result=LEAK
		else result=CRASH
		fi
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	elif [ "$MERGE" = 1 ] && [ -n "$(ls -A "$work")" ]; then
		merge_corpus "$name" || result="ok (merge failed: $OUT/$name.merge.log)"
	fi
	after=$(find "$corpus" -type f | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ -z "$execs" ]; then
		execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
	fi
	cov0=$(grep 'INITED' "$log" | grep -o 'cov: [0-9]*' | head -1 | cut -d' ' -f2)
	cov1=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	cov=${cov1:-?}
	[ -n "$cov0" ] && [ -n "$cov1" ] && cov="$cov1 ($(printf %+d $((cov1 - cov0))))"
	line="$name|$((end - start))|${execs:-?}|$after ($(printf %+d $((after - before))))|$cov|$result|$art"
	echo "$line" >"$OUT/results/$name"
	echo "fuzz $name : $result"
}
export -f run_one
export SECS TIMEOUT MERGE ROOT

echo "fuzz : ${#TARGETS[@]} cibles, ${SECS} s chacune, $JOBS à la fois" \
    "(corpus versé : $([ "$MERGE" = 1 ] && echo oui || echo non))"
rm -f "$OUT"/results/*
running=0
for t in "${TARGETS[@]}"; do
	if [ $running -ge "$JOBS" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_one "$t" &
	running=$((running + 1))
done
wait

# --- Tableau ---------------------------------------------------------------
fail=0
{
	echo "| target | seconds | executions | corpus size | new coverage | result |"
	echo "| --- | ---: | ---: | ---: | ---: | --- |"
	for t in "${TARGETS[@]}"; do
		if [ ! -f "$OUT/results/$t" ]; then
			echo "| $t | ? | ? | ? | ? | NOT RUN |"
			continue
		fi
		IFS='|' read -r n s e c v r a <"$OUT/results/$t"
		echo "| $n | $s | $e | $c | $v | $r |"
	done
} >"$OUT/summary.md"
echo
cat "$OUT/summary.md"
echo "(tableau : $OUT/summary.md)"
for t in "${TARGETS[@]}"; do
	if [ ! -f "$OUT/results/$t" ]; then
		fail=1
		continue
	fi
	IFS='|' read -r n s e c v r a <"$OUT/results/$t"
	case $r in ok*) continue ;; esac
	fail=1
	echo
	echo "ÉCHEC $n ($r) : entrée fautive ${a:-(aucune écrite)}"
	echo "  rejouer : $OUT/$n ${a:-}"
	grep -m1 -E 'ERROR:|runtime error:|==[0-9]+==' "$OUT/$n.log" | sed 's/^/  /'
	echo "  journal : $OUT/$n.log (30 dernières lignes ci-dessous)"
	tail -30 "$OUT/$n.log" | sed 's/^/  | /'
done
exit $fail
