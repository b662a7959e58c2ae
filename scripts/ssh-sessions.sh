#!/usr/bin/env bash
# Memory per idle staff session over SSH (docs/scaling.md): a private sshd on 127.0.0.1 with the
# shipped snippet (assets/ssh/kosmo-staff.conf; this machine's user, binary and paths put in), N
# `ssh -tt` clients left idle on the staff console's login screen, then the proportional set size
# (PSS, shared pages divided among the processes sharing them) of every process of those sessions:
# sshd's per-connection processes and the console. Needs /usr/sbin/sshd, ssh, ssh-keygen; run as
# root (sshd's privilege separation), as CI does.
#
#   scripts/ssh-sessions.sh            20 sessions
#   SESSIONS=40 scripts/ssh-sessions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${SESSIONS:-20}

# The same build as scripts/sessions.sh (an example widens the features of shared crates; building
# the binary alone would rebuild it each time the two scripts alternate).
cargo build --release --bin kosmo-kiosk --example sessions
bin=$PWD/target/release/kosmo-kiosk
dir=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -f $dir/sshd.pid ]] && kill "$(cat "$dir/sshd.pid")" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p /run/sshd
user=$(id -un)
export KOSMO_KIOSK_CONFIG=$dir/console.toml KOSMO_KIOSK_LOG_DIR=$dir/logs
printf 'log_dir = "%s/logs"\n' "$dir" > "$dir/console.toml"
printf 'Ssh2026sessions\n' | "$bin" --db "$dir/kiosk.db" admin staff-add measure01 --password-stdin >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$dir/host" && ssh-keygen -q -t ed25519 -N '' -f "$dir/client"
cp "$dir/client.pub" "$dir/authorized_keys" && chmod 600 "$dir/authorized_keys"
sed -e "s|Match User kosmo|Match User $user|" -e "s|/usr/local/bin/kosmo-kiosk|$bin|" \
    -e "s|/etc/kosmo-kiosk/config.toml|$dir/console.toml|" -e "s|/var/lib/kosmo-kiosk/kiosk.db|$dir/kiosk.db|" \
    assets/ssh/kosmo-staff.conf > "$dir/snippet.conf"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
AllowUsers $user
PermitRootLogin prohibit-password
MaxStartups 200
Include $dir/snippet.conf
CONF
/usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
sleep 0.5
pss_kib() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
avail() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }
before=$(avail)
for i in $(seq 1 "$n"); do
    # A client that keeps its input open and never types: an idle console.
    (sleep 3600 | TERM=xterm-256color ssh -F /dev/null -tt -i "$dir/client" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes -o LogLevel=ERROR \
        -p "$port" "$user@127.0.0.1" >/dev/null 2>&1) &
    pids+=($!)
done
# Wait until every console is up.
for _ in $(seq 1 120); do
    up=$(pgrep -f -c -- "^$bin --config $dir/console.toml --db $dir/kiosk.db staff" || true)
    [[ $up -ge $n ]] && break
    sleep 0.5
done
sleep 2
after=$(avail)
sshd_main=$(cat "$dir/sshd.pid")
console=0; sessions=0; nc=0; ns=0
for p in $(pgrep -f -- "^$bin --config $dir/console.toml --db $dir/kiosk.db staff"); do
    console=$((console + $(pss_kib "$p"))); nc=$((nc + 1))
done
# sshd's processes for these connections: every sshd descendant of the listener (not the listener).
for p in $(pgrep -f "sshd" ); do
    [[ $p == "$sshd_main" ]] && continue
    anc=$p
    while [[ $anc -gt 1 ]]; do
        anc=$(awk '{print $4}' "/proc/$anc/stat" 2>/dev/null || echo 1)
        if [[ $anc == "$sshd_main" ]]; then
            sessions=$((sessions + $(pss_kib "$p"))); ns=$((ns + 1)); break
        fi
    done
done
echo "when: $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(/usr/sbin/sshd -V 2>&1 | head -1)"
echo "| idle staff sessions over SSH | $nc consoles, $ns sshd processes |"
echo "|---|---|"
printf '| console (kosmo-kiosk staff) PSS / session | %.1f MiB |\n' "$(echo "$console / $nc / 1024" | bc -l)"
printf '| sshd PSS / session | %.1f MiB |\n' "$(echo "$sessions / $nc / 1024" | bc -l)"
printf '| together / session | %.1f MiB |\n' "$(echo "($console + $sessions) / $nc / 1024" | bc -l)"
printf '| MemAvailable drop / session (includes the ssh clients here) | %.1f MiB |\n' "$(echo "($before - $after) / $n / 1024" | bc -l)"
