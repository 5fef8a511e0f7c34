"""Screenshots of the sample site's digest (October 2026) for the README: desktop and
phone, light and dark, in headless Chromium (Debian's chromium and chromium-driver).

    .venv/bin/python docs/screenshots.py        # writes docs/digest-*.png

The sample posts link their pictures on lanternfish.example.org, which does not exist.
The digest is built with the site's address pointed at a server on 127.0.0.1 that
answers every image with a generated one of a fixed size, so the layout is the real
one; nothing else of the sample site or of the digest is changed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOTS = {"desktop": 800, "phone": 375}


def png(width: int, height: int, seed: str) -> bytes:
    """A soft two-colour gradient (colours from `seed`), as a PNG."""
    h = hashlib.sha256(seed.encode()).digest()
    a, b = h[:3], h[3:6]
    rows = []
    for y in range(height):
        t = y / max(height - 1, 1)
        rgb = bytes(int(a[i] * (1 - t) * 0.6 + b[i] * t * 0.6 + 60) for i in range(3))
        rows.append(b"\0" + rgb * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


class Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        size = (240, 80) if "logo" in name else (1200, 630)
        body = png(*size, name)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Images))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    local = f"http://127.0.0.1:{server.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="feedletter-shots-"))
    try:
        config = (REPO / "feedletter.toml").read_text("utf-8").replace(
            "https://lanternfish.example.org", local)
        (work / "feedletter.toml").write_text(
            config.replace('posts = "posts"', f'posts = "{REPO / "posts"}"'), "utf-8")
        shutil.copytree(REPO / "posts", work / "posts")
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        subprocess.run([sys.executable, "-m", "feedletter", "digest", "--month", "2026-10",
                        "--now", "2026-12-01T00:00:00Z", "--out", str(work / "out")],
                       cwd=work, env=env, check=True)
        page = (work / "out" / "2026-10.html").as_uri()
        os.environ["SE_OFFLINE"] = "true"
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     "--disable-dev-shm-usage", f"--user-data-dir={work / 'profile'}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            for scheme in ("light", "dark"):
                driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
                    "features": [{"name": "prefers-color-scheme", "value": scheme}]})
                for device, width in SHOTS.items():
                    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1,
                               "mobile": device == "phone"}
                    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
                    driver.get(page)
                    height = driver.execute_script(
                        "return document.documentElement.scrollHeight")
                    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                           {**metrics, "height": height})
                    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
                    out = REPO / "docs" / f"digest-{device}-{scheme}.png"
                    out.write_bytes(base64.b64decode(shot["data"]))
                    print(f"wrote {out.relative_to(REPO)} ({width}×{height})")
        finally:
            driver.quit()
    finally:
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
