#!/bin/sh
# Entrypoint of msm-kit-local/memcached-sasl:1.6 (scripts/setup/images.sh).
# With MSM_KIT_SASL_USERNAME and MSM_KIT_SASL_PASSWORD set, writes a Cyrus SASL
# config (PLAIN only) and a sasldb holding that user under /tmp/sasl2 (mode 600),
# drops the password from the environment and runs memcached (give it -S).
# The password is never in the image, only in the container's environment.
set -e
if [ -n "${MSM_KIT_SASL_PASSWORD:-}" ]; then
	: "${MSM_KIT_SASL_USERNAME:?MSM_KIT_SASL_USERNAME must be set with MSM_KIT_SASL_PASSWORD}"
	umask 077
	export SASL_CONF_PATH=/tmp/sasl2
	mkdir -p "$SASL_CONF_PATH"
	printf 'mech_list: plain\nsasldb_path: %s/sasldb2\n' "$SASL_CONF_PATH" >"$SASL_CONF_PATH/memcached.conf"
	printf '%s' "$MSM_KIT_SASL_PASSWORD" | saslpasswd2 -p -a memcached -c -f "$SASL_CONF_PATH/sasldb2" "$MSM_KIT_SASL_USERNAME"
	unset MSM_KIT_SASL_PASSWORD
fi
exec docker-entrypoint.sh "$@"
