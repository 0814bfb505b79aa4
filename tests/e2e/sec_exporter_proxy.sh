# Issue 18 item 8: the reverse-proxy recipe of docs/collect.md ("Prometheus endpoint")
# run for real: the nginx server block is taken from the document itself, given a
# throwaway certificate and password file, and put in front of `collect --listen :PORT`.
# Without nginx (apt-get install nginx-light) there is nothing to run: no check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/poll.inc"
command -v nginx >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 &&
    command -v openssl >/dev/null 2>&1 || { echo "# nginx, curl or openssl missing: skipped"; exit 0; }

PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; for p in $PIDS; do wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
free_port() { # a port nobody listens on, from a range unlikely to be in use
    p=$((20000 + ($$ * 7 + $1 * 131) % 20000))
    while ss -Hltn "sport = :$p" | grep -q .; do p=$((p + 1)); done
    echo "$p"
}
PK=$(free_port 1); PX=$(free_port 2)

"$KASANE" collect -i 0.2 --listen ":$PK" --entity proxied -o "$T/ds" 2>"$T/collect.err" &
PIDS="$PIDS $!"
poll 30 grep -q "serving" "$T/collect.err"
check "--listen :PORT says it binds loopback only" \
    grep -q "serving http://127.0.0.1:$PK/metrics.*loopback only" "$T/collect.err"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null
printf 'prometheus:%s\n' "$(openssl passwd -apr1 s3cret)" > "$T/htpasswd"
# The block exactly as documented, with this test's paths and ports.
block=$(awk '/^```nginx$/ {on = 1; next} on && /^```$/ {exit} on' "$KASANE_ROOT/docs/collect.md" |
    sed -e "s|/etc/kasane|$T|g" -e "s|9188|$PX|" -e "s|127.0.0.1:10187|127.0.0.1:$PK|")
check "docs/collect.md holds an nginx server block" [ -n "$block" ]
cat > "$T/nginx.conf" <<CONF
daemon off;
user root;
pid $T/nginx.pid;
error_log $T/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
    uwsgi_temp_path $T; scgi_temp_path $T;
$block
}
CONF
nginx -c "$T/nginx.conf" -p "$T" &
PIDS="$PIDS $!"
up() { curl -sk -o /dev/null "https://127.0.0.1:$PX/"; }
poll 30 up
code() { curl -sk -o "$T/body" -w '%{http_code}' "$@"; }
# The collector's first sample may come a while after it serves (a loaded machine):
# ask until the metrics name the entity, then check that answer.
authed() {
    [ "$(curl -sk -o "$T/body" -w '%{http_code}' -u prometheus:s3cret "https://127.0.0.1:$PX/metrics")" = 200 ] &&
        grep -q 'entity="proxied"' "$T/body"
}
poll 30 authed
check "through the proxy, with the password: 200 and kasane's metrics" authed
check "without a password: 401" [ "$(code "https://127.0.0.1:$PX/metrics")" = 401 ]
check "with a wrong password: 401" [ "$(code -u prometheus:nope "https://127.0.0.1:$PX/metrics")" = 401 ]
check "plain HTTP to the TLS port is refused (400)" [ "$(code "http://127.0.0.1:$PX/metrics")" = 400 ]
addr=$(ip -4 -o addr show scope global | awk '{sub("/.*", "", $4); print $4; exit}')
if [ -n "$addr" ]; then
    check "kasane itself is not reachable from outside loopback ($addr:$PK)" \
        sh -c "! curl -s -m 2 -o /dev/null 'http://$addr:$PK/metrics'"
fi
