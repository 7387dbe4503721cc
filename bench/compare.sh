#!/usr/bin/env bash
# Side-by-side GET throughput on this machine, in one run: nginx serving a
# directory (the origin), nginx proxy_pass in front of it, and bucketgate
# (anonymous, fs backend) over the same files. Prints a Markdown table of
# req/s and latency and bucketgate's ratios; run: bash bench/compare.sh
# Needs nginx and wrk (apt-get install nginx wrk). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${DUR:-10}
CONN=${CONN:-64}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -s stop -c "$work/nginx.conf" -p "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/data/bench" "$work/logs"
head -c 1024 /dev/urandom > "$work/data/bench/1k.bin"
head -c 1048576 /dev/urandom > "$work/data/bench/1m.bin"
chmod -R a+rX "$work"  # nginx workers run unprivileged
cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  upstream origin { server 127.0.0.1:18201; keepalive 64; }
  server { listen 127.0.0.1:18201; root $work/data; }
  server { listen 127.0.0.1:18202;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"
cat > "$work/gw.yaml" <<YAML
listen: 127.0.0.1:18203
buckets:
  - { name: bench, backend_type: fs, anonymous_access: true, backend_options: { root: $work/data/bench } }
YAML
deno run -A main.ts --config "$work/gw.yaml" > /dev/null 2>&1 &
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18203/bench/1k.bin && break; sleep 0.1; done
# Warm up (the fs backend computes and caches ETags on first read).
for p in 18201 18202 18203; do wrk -t2 -c8 -d2s "http://127.0.0.1:$p/bench/1k.bin" > /dev/null; done

measure() { # port path → "req/s p50 p99 transfer/s"; refuses runs with non-2xx answers
  local out
  out=$(wrk -t2 -c"$CONN" -d"${DUR}s" --latency "http://127.0.0.1:$1$2")
  if grep -q "Non-2xx" <<< "$out"; then echo "non-2xx answers from port $1: $out" >&2; exit 1; fi
  awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Transfer\/sec/ {tx=$2}
    END {print rps, p50, p99, tx}' <<< "$out"
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(deno --version | head -1); wrk ${DUR}s, $CONN connections"
echo
echo "| object | contender | req/s | p50 | p99 | transfer/s |"
echo "|---|---|---|---|---|---|"
for obj in 1k.bin 1m.bin; do
  read -r o50 o50a o99 otx <<< "$(measure 18201 /bench/$obj)"
  read -r p50 p50a p99 ptx <<< "$(measure 18202 /bench/$obj)"
  read -r g50 g50a g99 gtx <<< "$(measure 18203 /bench/$obj)"
  echo "| $obj | nginx (direct origin) | $o50 | $o50a | $o99 | $otx |"
  echo "| $obj | nginx proxy_pass | $p50 | $p50a | $p99 | $ptx |"
  echo "| $obj | bucketgate anonymous | $g50 | $g50a | $g99 | $gtx |"
  awk -v g="$g50" -v o="$o50" -v p="$p50" -v obj="$obj" 'BEGIN {printf "| %s | ratio: bucketgate / origin = %.2f, bucketgate / proxy_pass = %.2f | | | | |\n", obj, g/o, g/p}'
done
