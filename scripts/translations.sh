#!/usr/bin/env bash
# The catalogues: `extract` writes kokoro_tts/translations/messages.pot from the code, the
# template and the page's strings and merges it into each language's .po (then translate what
# is new); `compile` (what scripts/setup.sh runs) writes the .mo files the app reads.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=kokoro_tts/translations
case "${1:-compile}" in
    extract)
        .venv/bin/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
            -k Message -k N_ -k ServiceError:2 -k CredentialsRefused:2 -k DocumentError:2 -k _refused:2 \
            -c TRANSLATORS: -o "$DIR/messages.pot" .
        .venv/bin/pybabel update -i "$DIR/messages.pot" -d "$DIR" --no-fuzzy-matching --ignore-pot-creation-date
        ;;
    compile)
        .venv/bin/pybabel -q compile -d "$DIR"
        ;;
    *) echo "usage: $0 [extract|compile]" >&2; exit 2 ;;
esac
