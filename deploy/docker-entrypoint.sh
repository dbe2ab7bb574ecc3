#!/bin/sh
# Starts the command given (by default `parley start`) with the shared access-token signing key
# read from JWT_PRIVATE_KEY_FILE into PARLEY_JWT_PRIVATE_KEY: a multi-line PEM travels better as
# a file (a Docker secret or a volume) than as an environment variable.
set -eu
if [ -n "${JWT_PRIVATE_KEY_FILE:-}" ] && [ -z "${PARLEY_JWT_PRIVATE_KEY:-}" ]; then
  if [ ! -r "$JWT_PRIVATE_KEY_FILE" ]; then
    echo "parley-entrypoint: cannot read the signing key file $JWT_PRIVATE_KEY_FILE" >&2
    exit 2
  fi
  PARLEY_JWT_PRIVATE_KEY="$(cat "$JWT_PRIVATE_KEY_FILE")"
  export PARLEY_JWT_PRIVATE_KEY
fi
unset JWT_PRIVATE_KEY_FILE
exec "$@"
