#!/usr/bin/env bash
# A consumer that asks veeam-em-api for the cdp family and veeam-em-client for the blocking
# client only gets that family: no other family feature of veeam-em-api or veeam-em-model is on.
# Run from the workspace root (CI does); uses the workspace's Cargo.lock, offline when it can.
set -euo pipefail
root=$(pwd)
consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
mkdir "$consumer/src"
echo 'fn main() {}' > "$consumer/src/main.rs"
cat > "$consumer/Cargo.toml" <<TOML
[package]
name = "consumer"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
veeam-em-api = { path = "$root/crates/veeam-em-api", default-features = false, features = ["cdp"] }
veeam-em-client = { path = "$root/crates/veeam-em-client", default-features = false, features = ["blocking"] }

[workspace]
TOML
cp Cargo.lock "$consumer/"
tree=$(cargo tree --manifest-path "$consumer/Cargo.toml" --offline -e features -i veeam-em-model \
    --prefix none 2>/dev/null || cargo tree --manifest-path "$consumer/Cargo.toml" -e features \
    -i veeam-em-model --prefix none)
on=$(echo "$tree" | grep -oE 'veeam-em-(api|model) feature "[a-z_-]+"' | sort -u)
echo "$on"
families="agents backups catalog cloud_failover cloud_network cloud_tenants infrastructure jobs nas replicas reports security sessions all-families"
for f in $families; do
    if echo "$on" | grep -q "feature \"$f\""; then
        echo "family feature $f is on for a consumer that asked for cdp only" >&2
        exit 1
    fi
done
echo "$on" | grep -q 'veeam-em-model feature "cdp"' || { echo "cdp is not on" >&2; exit 1; }
echo "ok: a cdp + blocking consumer gets the cdp family only"
