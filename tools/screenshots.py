"""Screenshots of the main pages for README.md and docs/ (run against a server with demo data).

    make run &                       # in another terminal, or any server with the demo data
    .venv/bin/python -m tools.screenshots http://127.0.0.1:5000 docs/screenshots

Uses Debian's Chromium through Playwright (never a downloaded browser).
"""
from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from core.cli import DEMO_PASSWORD

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

# (file name, demo login e-mail or None, path, viewport width)
SHOTS: list[tuple[str, str | None, str, int]] = [
    ("login", None, "/login", 1280),
    ("home-participant", "participant@renkei.example.jp", "/", 1280),
    ("home-facilitator", "facilitator@renkei.example.jp", "/", 1280),
    ("home-coordinator", "coordinator.yokohama@renkei.example.jp", "/", 1280),
    ("home-phone", "participant@renkei.example.jp", "/", 390),
    ("invitations", "jimukyoku@renkei.example.jp", "/invitations", 1280),
]


def extra_shots() -> list[tuple[str, str | None, str, int]]:
    """Pages of areas, discovered from their blueprints' documented main pages (see SHOTS_BY_AREA)."""
    return [s for area in SHOTS_BY_AREA.values() for s in area]


SHOTS_BY_AREA: dict[str, list[tuple[str, str | None, str, int]]] = {
    "curriculum": [("modules", "participant@renkei.example.jp", "/modules", 1280),
                   ("cohorts", "facilitator@renkei.example.jp", "/cohorts", 1280)],
    "wiki": [("cases", "participant@renkei.example.jp", "/cases", 1280),
             ("search", "participant@renkei.example.jp", "/search?q=防災", 1280)],
    "directory": [("directory", "alumnus@renkei.example.jp", "/directory?q=sato", 1280),
                  ("statistics", "jimukyoku@renkei.example.jp", "/directory/statistics", 1280)],
    "proposals": [("proposals", "participant@renkei.example.jp", "/proposals", 1280)],
    "notify": [("notifications", "participant@renkei.example.jp", "/notifications", 1280)],
}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, email, path, width in SHOTS + extra_shots():
            context = browser.new_context(base_url=base, locale="ja-JP", timezone_id="Asia/Tokyo",
                                          viewport={"width": width, "height": 900}, device_scale_factor=1)
            page = context.new_page()
            if email:
                page.goto("/login")
                page.fill("input[name=email]", email)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("input[type=submit]")
                page.wait_for_load_state("networkidle")
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            context.close()
            print(f"{name}: {path}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000",
         Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"))
