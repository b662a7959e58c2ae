#!/usr/bin/env python3
"""Screenshots of the kiosk in a real xterm under Xvfb: the login screen and STEP4, on a light and on a
dark terminal, with East Asian Ambiguous characters narrow and wide (xterm -cjk_width). The kiosk runs
with its default configuration, so it asks each terminal its ambiguous width itself.

  scripts/screenshots.py [--out DIR] [--bin PATH] [--size COLSxROWS]

Writes DIR/{login,step4}-{light,dark}-{narrow,wide}.png (default DIR: docs/screens), small palette PNGs
for the README. Needs Debian's xvfb, xterm, fonts-noto-cjk, fonts-dejavu-core, imagemagick and xdotool;
installs the missing ones with apt-get when run as root. Builds the release binary unless --bin is given.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = {"Xvfb": "xvfb", "xterm": "xterm", "convert": "imagemagick", "import": "imagemagick",
            "xdotool": "xdotool"}
FONTS = {"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc": "fonts-noto-cjk",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf": "fonts-dejavu-core"}
MEMBERS = """insurer_number,symbol,number,name,birth_date,relationship
06139497,12,3402,佐藤 一郎,1980-01-01,insured
"""


def ensure_tools():
    missing = sorted({pkg for exe, pkg in PACKAGES.items() if shutil.which(exe) is None}
                     | {pkg for path, pkg in FONTS.items() if not os.path.exists(path)})
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit("screenshots: please install " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + missing, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def free_display():
    for n in range(90, 300):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    sys.exit("screenshots: no free X display number")


def store(binary, work):
    """A store with one household and its postcard; returns (temp ID, temp password)."""
    with open(os.path.join(work, "members.csv"), "w", encoding="utf-8") as f:
        f.write(MEMBERS)
    with open(os.path.join(work, "config.toml"), "w", encoding="utf-8") as f:
        f.write("[kiosk]\nallow_exit = true\n")
    env = dict(os.environ, KOSMO_KIOSK_DB=os.path.join(work, "kiosk.db"),
               KOSMO_KIOSK_CONFIG=os.path.join(work, "config.toml"),
               KOSMO_KIOSK_LOG_DIR=os.path.join(work, "logs"))
    for args in (["admin", "import-members", "members.csv"],
                 ["admin", "issue-credentials", "--out", "notices.csv"]):
        subprocess.run([binary] + args, cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "notices.csv"), encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    return env, row["temp_user_id"], row["temp_password"]


def shoot(binary, env, card, light, wide, size, out_dir):
    cols, rows = size.split("x")
    n = free_display()
    disp = f":{n}"
    xenv = dict(env, DISPLAY=disp, LANG="C.UTF-8")
    xvfb = subprocess.Popen(["Xvfb", disp, "-screen", "0", "2400x1600x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    term = None
    try:
        for _ in range(100):
            if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                break
            time.sleep(0.1)
        colours = ["-fg", "black", "-bg", "white"] if light else ["-fg", "#d0d0d0", "-bg", "black"]
        xterm = ["xterm", "-u8", "-fa", "DejaVu Sans Mono", "-fd", "Noto Sans Mono CJK JP", "-fs", "12",
                 "-geometry", f"{cols}x{rows}+0+0",
                 # Keys come from xdotool as synthetic events, which xterm ignores unless allowed.
                 "-xrm", "XTerm*allowSendEvents: true"] + colours + (["-cjk_width"] if wide else [])
        term = subprocess.Popen(xterm + ["-e", binary], env=xenv,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wid = None
        for _ in range(150):
            r = subprocess.run(["xdotool", "search", "--pid", str(term.pid)], env=xenv,
                               capture_output=True, text=True)
            if r.stdout.strip():
                wid = r.stdout.split()[0]
                break
            time.sleep(0.1)
        if wid is None:
            sys.exit("screenshots: the xterm window did not appear")
        time.sleep(2.0)
        name = f"{'light' if light else 'dark'}-{'wide' if wide else 'narrow'}"

        def key(*keys):
            subprocess.run(["xdotool", "key", "--window", wid, "--delay", "80"] + list(keys), env=xenv,
                           stderr=subprocess.DEVNULL)
            time.sleep(0.3)

        def type_(text):
            subprocess.run(["xdotool", "type", "--window", wid, "--delay", "40", text], env=xenv,
                           stderr=subprocess.DEVNULL)
            time.sleep(0.3)

        def capture(what):
            raw = os.path.join(out_dir, f".{what}-{name}.png")
            final = os.path.join(out_dir, f"{what}-{name}.png")
            subprocess.run(["import", "-window", wid, raw], env=xenv, check=True)
            subprocess.run(["convert", raw, "-strip", "+dither", "-colors", "48", "PNG8:" + final], check=True)
            os.remove(raw)
            print(final)

        capture("login")
        temp_id, password = card
        type_(temp_id)
        key("Tab")
        type_(password)
        key("Return", "Return")
        time.sleep(2.5)  # argon2id, then STEP3
        type_("06139497")
        key("Tab")
        type_("19800101")
        key("Tab", "space", "Tab", "Return")
        time.sleep(2.5)  # the identity check, then STEP4
        type_("sato1980")
        key("Tab")
        time.sleep(1.0)
        capture("step4")
    finally:
        if term is not None:
            term.terminate()
        xvfb.terminate()


def main(argv):
    out_dir, binary, size = os.path.join(ROOT, "docs", "screens"), None, "80x24"
    while argv:
        opt = argv.pop(0)
        if opt == "--out":
            out_dir = os.path.abspath(argv.pop(0))
        elif opt == "--bin":
            binary = os.path.abspath(argv.pop(0))
        elif opt == "--size":
            size = argv.pop(0)
        elif opt in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            sys.exit(f"screenshots: unknown option {opt}")
    ensure_tools()
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "kosmo-kiosk")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kosmo-shots-") as work:
        env, temp_id, password = store(binary, work)
        for light in (True, False):
            for wide in (False, True):
                shoot(binary, env, (temp_id, password), light, wide, size, out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
