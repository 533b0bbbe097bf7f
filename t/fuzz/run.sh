#!/usr/bin/env bash
# Construit les cibles libFuzzer (clang, ASan+UBSan) et les lance chacune
# pendant $1 secondes (défaut 10) sur le corpus de t/fuzz/corpus/<cible>.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-10}
OUT=${CBW_FUZZ_OUT:-$ROOT/build/fuzz}
mkdir -p "$OUT"
LIBSRC=$(ls "$ROOT"/lib/*.c | grep -v '/app.c$')
CFLAGS="-g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -iquote $ROOT/lib -I$OUT"
echo '#define CBW_TEST_CLOCK 1' >"$OUT/autoconfig.h"
LIBS="-lsqlite3 -ljson-c -ljwt -lcrypto -lcrypt -lcurl"
fail=0
for src in "$ROOT"/t/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	clang $CFLAGS $LIBSRC "$src" $LIBS -o "$OUT/$name"
	mkdir -p "$ROOT/t/fuzz/corpus/$name" "$OUT/work-$name"
	echo "fuzz $name : ${SECS} s"
	if ! "$OUT/$name" -max_total_time="$SECS" -print_final_stats=0 \
		-artifact_prefix="$OUT/$name-" "$OUT/work-$name" \
		"$ROOT/t/fuzz/corpus/$name" >"$OUT/$name.log" 2>&1; then
		echo "ÉCHEC $name :"; tail -30 "$OUT/$name.log"; fail=1
	fi
done
exit $fail
