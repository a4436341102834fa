"""`riskon serve`: a local preview with drafts, held in memory, rebuilt the moment a file
is saved, and pushed to the browser.

- The site is built like `riskon build` builds it (drafts shown, nothing frozen, no fetch)
  but kept in memory as `{site path: bytes}` and served from there on 127.0.0.1 only;
  nothing is written to `site/`. It answers at `/` and under the base URL's path (as
  GitHub Pages does), and a missing address gets `404.html` with status 404.
- `watchfiles` (native file notifications, no polling) reports saves. A save in
  `content/issues/` re-reads that file alone and re-renders the pages that show it, those
  the editor is looking at first (the issue page, the home page), then the rest of the site;
  a page of `content/pages/` re-renders the site's pages; anything else (templates,
  settings, data) runs the whole build again, from the warm cache.
- The browser is told by the server (`preview_server.py`): every HTML response loads
  `/__riskon/live.js`, which opens a server-sent event stream (`/__riskon/events`) naming
  its page and the version it was served at. The server says "reload" when that page
  changed since, or sends the build error to show in a banner fixed at the top of the
  viewport (where the editor is looking, whatever the scroll position), cleared by the
  next good save.
  Nothing of this reaches the published site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.config import Config, load_config
from generator.content.note import Note
from generator.content.notes import parse_note
from generator.errors import ContentError, UserError
from generator.preview_server import PreviewState, make_handler

Log = Callable[[str], None]
WATCH_STEP_MS = 20  # a save's events are grouped until the files are quiet this long
WATCH_DEBOUNCE_MS = 300  # ... or at most this long
SETTLE_SECONDS = 1.5  # at most this long for the reloaded pages before the rest is rebuilt


# --- the site in memory -------------------------------------------------------------------
class PreviewSite:
    """The preview's files, built with drafts from `source`, and how to rebuild them."""

    def __init__(self, project: Path, *, source: str = "yfinance", since: Any = None,
                 recent: int | None = 26) -> None:
        self.project = project
        self.source = source
        self.since = since
        self.recent = None if since else recent
        self.config: Config | None = None
        self.inputs: Any = None  # site.inputs.SiteInputs of the last good gather
        self.store: Any = None
        self.files: dict[str, Any] = {}
        self.notes: dict[Path, tuple[tuple[int, int], Note]] = {}  # parsed files by stat

    def full(self) -> list[str]:
        """Gather everything and build every file again; returns the changed site paths."""
        from generator import pipeline
        from generator.cache import keys, workers

        self.config = config = load_config(self.project)
        self.store = pipeline.open_store(config)
        with workers.warm(), keys.reuse_digests():
            notes, pages = self._content(config)
            loaded = pipeline.load_prices(config, self.source, fetch=False, store=self.store)
            report = pipeline.BuildReport(out=config.cache_dir / "preview")
            inputs, _ = pipeline.gather(
                config, loaded, notes, pages, store=self.store, since=self.since, until=None,
                recent=self.recent, progress=None, report=report, freeze_weeks=False)
            self.inputs = inputs
            files = self._site(inputs)
        self.store.save(prune=False)
        return self._swap(files)

    def content(self, weeks_first: Iterable[str] = ()) -> Iterable[list[str]]:
        """Re-read the editor files after a save in `content/`: first the pages of `weeks_first`
        (their issue page and the home page), then the whole site; yields changed paths."""
        from generator.cache import pages as cached_pages
        from generator.site.pages import issue_jobs

        if self.inputs is None or self.config is None:
            yield self.full()
            return
        notes, pages = self._content(self.config)
        known = {i.week for i in self.inputs.issues}
        self.inputs = inputs = dataclasses.replace(
            self.inputs, notes={w: n for w, n in notes.items() if w in known}, pages=pages)
        jobs = issue_jobs(inputs)
        shown = {i.path + "index.html" for i in inputs.issues if i.week in set(weeks_first)}
        if inputs.issues and inputs.issues[-1].week in set(weeks_first):
            shown.add("index.html")
        first = {job.path: job.render() for job in jobs if job.path in shown}
        if first:
            yield self._swap({**self.files, **first})
        yield self._swap(self._site(inputs, cached_pages.memo_files(self.store, jobs)))

    def _site(self, inputs: Any, issue_files: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
        from generator.cache import pages as cached_pages
        from generator.site.pages import build_site, issue_jobs, page_jobs

        if issue_files is None:
            issue_files = cached_pages.memo_files(self.store, issue_jobs(inputs))
        return build_site(inputs, {**issue_files,
                                   **cached_pages.memo_files(self.store, page_jobs(inputs))})

    def _content(self, config: Config) -> tuple[dict[str, Note], dict[str, Note]]:
        """Issue notes by week and pages by slug, drafts included; a file is parsed again
        only when it changed (the rules are `content.notes`'s: one error per bad file)."""
        problems: list[str] = []
        found: dict[str, dict[str, Note]] = {"issue": {}, "page": {}}
        seen: set[Path] = set()
        for kind, folder in (("issue", config.content_dir / "issues"),
                             ("page", config.content_dir / "pages")):
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.name.startswith(".") or (kind == "page" and path.suffix != ".md"):
                    continue
                seen.add(path)
                try:
                    note = self._parse(path, kind)
                except ContentError as exc:
                    problems.extend(exc.lines())
                    continue
                found[kind][note.week or note.slug] = note
        for gone in set(self.notes) - seen:
            del self.notes[gone]
        if problems:
            raise ContentError(problems[0], problems)
        return dict(sorted(found["issue"].items())), dict(sorted(found["page"].items()))

    def _parse(self, path: Path, kind: str) -> Note:
        if not path.is_file():
            raise ContentError(f"{path}: not a regular file")
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size)
        hit = self.notes.get(path)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        note = parse_note(path, path.read_bytes(), kind=kind)  # type: ignore[arg-type]
        self.notes[path] = (stamp, note)
        return note

    def _swap(self, files: dict[str, Any]) -> list[str]:
        old, self.files = self.files, files
        return sorted(p for p in old.keys() | files.keys()
                      if p not in old or p not in files or _digest(old[p]) != _digest(files[p]))


def _digest(data: Any) -> str:
    """The writer's digest of a file: blake2b-128 of its bytes (a stored file knows it)."""
    if isinstance(data, bytes):
        return hashlib.blake2b(data, digest_size=16).hexdigest()
    return data.digest


# --- watching and rebuilding --------------------------------------------------------------
def watched(config: Config) -> list[Path]:
    """What a rebuild depends on: the editor files, templates, settings and data."""
    paths = [config.content_dir, config.templates_dir, config.root / "pyproject.toml",
             config.data_dir]
    return [p for p in paths if p.exists()]


def plan(config: Config, changed: Iterable[Path]) -> tuple[str, list[str]]:
    """`("content", weeks)` when only editor files changed (the weeks whose notes did),
    else `("full", [])`."""
    weeks: list[str] = []
    content = config.content_dir.resolve()
    for path in changed:
        path = Path(path).resolve()
        if not path.is_relative_to(content):
            return "full", []
        if path.parent == content / "issues" and path.suffix == ".md":
            weeks.append(path.stem)
    return "content", weeks


def rebuild(site: PreviewSite, state: PreviewState, log: Log, work: Callable[[], Any],
            noticed: str = "") -> None:
    """Run one rebuild (`work` returns the changed paths, or yields them in steps) and tell
    the browsers after each step; a failure keeps the last good files and shows the error."""
    started = time.perf_counter()
    try:
        result = work()
        steps = [result] if isinstance(result, list) else result
        changed: set[str] = set()
        times = []
        for paths in steps:
            state.publish(paths)
            state.settle(SETTLE_SECONDS)
            changed.update(paths)
            times.append(f"{1000 * (time.perf_counter() - started):.0f}")
        shown = f"shown in {times[0]} ms, " if len(times) > 1 else ""
        log(f"rebuilt: {noticed}{shown}all in {times[-1] if times else 0} ms, "
            f"{len(changed)} files changed")
    except UserError as err:
        error = "\n".join(err.lines())
        state.publish([], error)
        log("rebuild failed: " + error)
    except Exception as exc:  # keep previewing: show the crash where the editor looks
        error = f"build crashed: {exc!r}\n\n{traceback.format_exc()}"
        state.publish([], error)
        log(error)


def watch(site: PreviewSite, state: PreviewState, log: Log, stop: threading.Event) -> None:
    """Rebuild on every save until `stop` is set (watchfiles: native notifications)."""
    import watchfiles

    config = site.config or load_config(site.project)
    for changes in watchfiles.watch(*watched(config), stop_event=stop, step=WATCH_STEP_MS,
                                    debounce=WATCH_DEBOUNCE_MS, raise_interrupt=False):
        noticed = _noticed([Path(p) for _, p in changes])
        kind, weeks = plan(config, (Path(p) for _, p in changes))
        if kind == "content" and site.inputs is not None:
            rebuild(site, state, log, lambda w=weeks: site.content(w), noticed)
        else:
            rebuild(site, state, log, site.full, noticed)
            config = site.config or config


def _noticed(paths: list[Path]) -> str:
    """How long after the last save the watcher reported it (for the log)."""
    times = [p.stat().st_mtime for p in paths if p.is_file()]
    return f"save noticed in {1000 * (time.time() - max(times)):.0f} ms, " if times else ""


class Preview:
    """The preview server on 127.0.0.1: `start()`, then `url`; `stop()` ends it."""

    def __init__(self, project: Path, *, source: str = "yfinance", port: int = 8000,
                 since: Any = None, recent: int | None = 26, log: Log = print) -> None:
        self.site = PreviewSite(Path(project), source=source, since=since, recent=recent)
        self.state = PreviewState()
        self.log = log
        self.port = port
        self.stopping = threading.Event()
        self.server: http.server.ThreadingHTTPServer | None = None
        self.threads: list[threading.Thread] = []

    def start(self) -> str:
        """Build, serve and watch; returns the address."""
        self.log("building the preview (drafts shown; the first start on a fresh clone "
                 "renders the charts)")
        rebuild(self.site, self.state, self.log, self.site.full)
        config = self.site.config or load_config(self.site.project)
        base_path = urlsplit(config.base_url).path or "/"
        handler = make_handler(lambda: self.site.files, self.state, base_path)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.threads = [
            threading.Thread(target=self.server.serve_forever, daemon=True),
            threading.Thread(target=watch, args=(self.site, self.state, self.log,
                                                 self.stopping), daemon=True),
        ]
        for thread in self.threads:
            thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.stopping.set()
        self.state.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        for thread in self.threads:
            thread.join(5)


def serve(project: Path, *, source: str, port: int, since: Any, log: Log) -> None:
    """`riskon serve`: preview until Ctrl-C."""
    preview = Preview(project, source=source, port=port, since=since, log=log)
    url = preview.start()
    log(f"previewing on {url} (drafts shown; saves show in the browser at once); "
        "Ctrl-C stops")
    try:
        preview.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
