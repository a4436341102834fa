#!/usr/bin/env python3
"""Build-time benchmarks of the Risk-On Monitor generator, with Pelican side by side.

Standard library only.  Every scenario runs in a throwaway copy of the project (settings,
templates, content) with its own build cache (`.cache/` in the copy), a fixed SOURCE_DATE_EPOCH
and the real CSV market data; each run is timed as a whole process.  See
benchmarks/README.md.

    python benchmarks/run.py                    # everything, 5 runs after a warm-up
    python benchmarks/run.py --only nochange,frozen --runs 10
    python benchmarks/run.py --skip-pelican --cold-runs 2 --keep
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PROJECT_FILES = ("pyproject.toml", "templates", "content")

SCENARIOS = ("cold", "nochange", "frozen", "newweek", "pandas", "pelican")
HUGO_FIGURE_SECONDS = 0.8  # the issue's figure for Hugo; not measured here
MEMORY_TARGET_KB = 1024 * 1024  # 1 GB peak RSS of a full build


# --- measuring one process -------------------------------------------------------------------


class CommandFailed(RuntimeError):
    pass


def _ppid_map() -> dict[int, int]:
    """pid -> parent pid of every process we can see (Linux /proc)."""
    out: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        rest = stat[stat.rfind(b")") + 2 :].split()
        if len(rest) > 1:
            out[int(name)] = int(rest[1])
    return out


def _status_kb(pid: int, key: bytes) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _RssSampler(threading.Thread):
    """Samples a process tree's memory every `interval` seconds while it runs.

    `parent_hwm_kb`: the root process's own VmHWM (its peak RSS, exact up to the last sample).
    `tree_peak_kb`: the largest sum of VmRSS over the root and all its descendants seen in
    one sample (worker processes included; a sampled value, so short spikes can be missed).
    """

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.parent_hwm_kb = 0
        self.tree_peak_kb = 0
        self.max_processes = 1
        self._halt = threading.Event()
        self.enabled = os.path.isdir("/proc/self")

    def run(self) -> None:
        if not self.enabled:
            return
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def sample(self) -> None:
        hwm = _status_kb(self.pid, b"VmHWM:")
        if hwm:
            self.parent_hwm_kb = max(self.parent_hwm_kb, hwm)
        parents = _ppid_map()
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, ()))
        total = sum(_status_kb(pid, b"VmRSS:") for pid in tree)
        self.tree_peak_kb = max(self.tree_peak_kb, total)
        self.max_processes = max(self.max_processes, len(tree))

    def stop(self) -> None:
        self._halt.set()


@dataclass
class Run:
    seconds: float
    wait4_maxrss_kb: int  # max RSS of the child or any descendant it waited for (not a sum)
    parent_hwm_kb: int  # the child's own peak RSS (sampled VmHWM)
    tree_peak_kb: int  # peak of the summed RSS of the whole process tree (sampled)
    processes: int
    stderr: str
    stdout: str


BUILT = (0, 6)  # exit 6: built, with stale or missing inputs (README, "Exit codes")


def measure(cmd: list[str], *, cwd: Path, env: dict[str, str]) -> Run:
    """Run `cmd` once as a whole process: wall clock, peak RSS; raise CommandFailed on error."""
    out_f = tempfile.TemporaryFile()
    err_f = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out_f, stderr=err_f,
                            stdin=subprocess.DEVNULL)
    sampler = _RssSampler(proc.pid)
    sampler.start()
    _, status, rusage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    sampler.stop()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    stdout = out_f.read().decode("utf-8", "replace")
    stderr = err_f.read().decode("utf-8", "replace")
    out_f.close()
    err_f.close()
    if proc.returncode not in BUILT:
        raise CommandFailed(
            f"exit code {proc.returncode} from: {' '.join(cmd)}\n  (in {cwd})\n"
            f"--- stderr (last 40 lines) ---\n" + "\n".join(stderr.splitlines()[-40:])
            + ("\n--- stdout (last 20 lines) ---\n" + "\n".join(stdout.splitlines()[-20:])
               if stdout.strip() else "")
        )
    return Run(seconds, rusage.ru_maxrss, sampler.parent_hwm_kb or rusage.ru_maxrss,
               sampler.tree_peak_kb, sampler.max_processes, stderr, stdout)


def run_checked(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                what: str = "") -> subprocess.CompletedProcess:
    """Untimed helper command (venv creation, pip); raise CommandFailed with its output."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CommandFailed(
            f"{what or 'command'} failed (exit code {proc.returncode}): {' '.join(cmd)}\n"
            + "\n".join((proc.stderr or proc.stdout).splitlines()[-40:])
        )
    return proc


# --- results --------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    label: str
    target_s: float | None = None
    memory_target: bool = False
    runs: list[Run] = field(default_factory=list)
    error: str | None = None
    note: str = ""
    reference: float | None = None  # a quoted figure, not measured
    warmup: str = ""

    @property
    def times(self) -> list[float]:
        return [r.seconds for r in self.runs]

    @property
    def median(self) -> float | None:
        if self.reference is not None:
            return self.reference
        return statistics.median(self.times) if self.runs else None

    def peak(self, attr: str) -> int:
        return max((getattr(r, attr) for r in self.runs), default=0)

    def met(self) -> str:
        if self.error:
            return "FAILED"
        if self.reference is not None or self.target_s is None or not self.runs:
            return ""
        bad = []
        if self.median > self.target_s:
            bad.append("time")
        if self.memory_target and max(self.peak("parent_hwm_kb"),
                                      self.peak("wait4_maxrss_kb")) > MEMORY_TARGET_KB:
            bad.append("memory")
        return "yes" if not bad else "NO (" + ", ".join(bad) + ")"


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB" if kb else "-"


def _s(x: float | None) -> str:
    return "-" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def print_table(results: list[Result]) -> None:
    pelican = next((r for r in results if r.name == "pelican-full" and r.runs), None)
    pandas = next((r for r in results if r.name == "pandas" and r.runs), None)
    header = ["scenario", "runs", "median s", "min s", "max s", "peak RSS", "tree RSS",
              "target", "met?", "x Pelican", "x pandas"]
    rows = []
    for r in results:
        measured = r.reference is None and r.runs
        target = "" if r.target_s is None else f"<= {r.target_s:g} s"
        if r.memory_target:
            target += ", <= 1 GB"
        med = r.median
        rows.append([
            r.label,
            str(len(r.runs)) if r.reference is None else "ref",
            "FAILED" if r.error else _s(med),
            _s(min(r.times)) if measured else "-",
            _s(max(r.times)) if measured else "-",
            _mb(r.peak("parent_hwm_kb")) if measured else "-",
            _mb(r.peak("tree_peak_kb")) if measured else "-",
            target,
            r.met(),
            f"{med / pelican.median:.2f}" if pelican and med and not r.error else "-",
            f"{med / pandas.median:.1f}" if pandas and med and not r.error else "-",
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) if i in (0, 7, 8) else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    print()
    print("median/min/max: wall-clock seconds of the whole process (interpreter start "
          "included).")
    print("peak RSS: the command's own process (VmHWM, max over runs).  tree RSS: the largest "
          "sum of RSS over the process and all its children seen in one 50 ms sample "
          "(chart worker processes included).")
    print("x Pelican: median / median of Pelican's full build; x pandas: median / median of "
          "`python -c \"import pandas\"`.")
    for r in results:
        if r.note:
            print(f"note, {r.label}: {r.note}")
        if r.warmup:
            print(f"{r.label}, {r.warmup}")
        if r.memory_target and r.runs:
            print(f"memory, {r.label}: parent peak {_mb(r.peak('parent_hwm_kb'))}, largest "
                  f"single process incl. waited-for children (wait4 ru_maxrss) "
                  f"{_mb(r.peak('wait4_maxrss_kb'))}, whole tree peak "
                  f"{_mb(r.peak('tree_peak_kb'))} with up to {r.peak('processes')} processes; "
                  f"target <= 1 GB for the parent")


# --- the Risk-On Monitor scenarios ----------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args = args
        self.root = root
        self.data = args.data.resolve()
        self.python = args.python
        self.last = last_data_date(self.data)
        self.until = self.last - dt.timedelta(days=7)
        epoch = args.epoch
        if epoch is None:  # noon UTC the day after the last data date
            epoch = noon_after(self.last)
        self.epoch = epoch
        self.base = root / "base"
        self.states: dict[str, Path] = {}
        self.setup_notes: dict[str, str] = {}
        make_base_project(self.base)
        self.code = None
        if not args.live_code:  # one snapshot of generator/ for every run of this benchmark
            self.code = root / "code"
            shutil.copytree(REPO / "generator", self.code / "generator",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            # Compiled once, as an installed package is: with PYTHONDONTWRITEBYTECODE set
            # (it is on some machines, this one included) every build would otherwise
            # compile the ~14,000 lines it imports again (~0.1 s a build).
            subprocess.run([self.python, "-m", "compileall", "-q", str(self.code)],
                           check=True, stdout=subprocess.DEVNULL,
                           env={k: v for k, v in os.environ.items()
                                if k != "SOURCE_DATE_EPOCH"})

    def env(self, project: Path, epoch: int | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env["SOURCE_DATE_EPOCH"] = str(self.epoch if epoch is None else epoch)
        env["PYTHONHASHSEED"] = "0"
        env.pop("PYTHONPROFILEIMPORTTIME", None)
        if self.code is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                [str(self.code)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        env.setdefault("COLUMNS", "200")
        return env

    def build_cmd(self, project: Path, until: dt.date | None = None) -> list[str]:
        cmd = [self.python, "-m", "generator", "--project", str(project), "build",
               "--source", f"csv:{self.data}", "--no-fetch"]
        if until is not None:
            cmd += ["--until", until.isoformat()]
        if self.args.since:
            cmd += ["--since", self.args.since]
        return cmd

    def build(self, project: Path, until: dt.date | None = None) -> Run:
        """A build with the data cut at `until` runs with that week's clock (noon UTC the
        day after `until`), as last week's build did: with today's clock its pages would
        all say the prices are a week old, which last week's pages never said."""
        epoch = None if until is None else noon_after(until)
        return measure(self.build_cmd(project, until), cwd=project,
                       env=self.env(project, epoch))

    def fresh(self, name: str, state: str | None = None) -> Path:
        """A working project copied from the base project or from a saved state."""
        path = self.root / name
        if path.exists():
            shutil.rmtree(path)
        copy_project(self.states[state] if state else self.base, path)
        return path

    def save(self, project: Path, state: str) -> None:
        dest = self.root / f"state-{state}"
        if dest.exists():
            shutil.rmtree(dest)
        copy_project(project, dest)
        self.states[state] = dest

    def full_state(self, cold: Result | None = None) -> None:
        """Cold backfill(s) with all the data; keeps the last one's project as state 'full'."""
        n = max(1, self.args.cold_runs) if cold else 1
        for i in range(n):
            work = self.fresh("work")
            say(f"cold backfill {i + 1}/{n} (no snapshots, no chart cache)...")
            run = self.build(work)
            say(f"  {run.seconds:.1f} s; {summary(run)}")
            if cold is not None:
                cold.runs.append(run)
        self.save(work, "full")
        if cold is None:
            self.setup_notes["full"] = f"setup cold backfill took {run.seconds:.0f} s"

    def repeat(self, result: Result, prepare, what: str) -> None:
        total = 1 + self.args.runs
        for i in range(total):
            project = prepare(i)
            # Flush the setup's writes (a copied project is hundreds of MB) so that their
            # writeback does not land inside the timed build.
            os.sync()
            run = self.build(project)
            tag = "warm-up" if i == 0 else f"run {i}/{self.args.runs}"
            say(f"{what} {tag}: {run.seconds:.2f} s; {summary(run)}")
            if i:
                result.runs.append(run)
            else:
                result.warmup = f"warm-up {run.seconds:.1f} s: {summary(run)}"

    def nochange(self, result: Result) -> None:
        work = self.fresh("work", "full")
        self.repeat(result, lambda i: work, "no-change rebuild")

    def frozen(self, result: Result) -> None:
        work = self.fresh("work", "full")

        def prepare(i: int) -> Path:
            shutil.rmtree(work / "site", ignore_errors=True)
            return work

        self.repeat(result, prepare, "rebuild from frozen snapshots")
        # The steady state (cache holding the frozen issues' charts) for the next scenario.
        self.save(work, "full")

    def newweek(self, result: Result) -> None:
        if "week-before" not in self.states:
            if "full" in self.states and not self.args.cold_setup:
                how = self.week_before_from_full()
            else:
                how = None
            if how is None:
                work = self.fresh("work")
                say(f"one new week: setup build with --until {self.until} (a cold backfill)...")
                run = self.build(work, self.until)
                say(f"  {run.seconds:.1f} s; {summary(run)}")
                how = f"a cold build with --until {self.until} ({run.seconds:.0f} s)"
                self.save(work, "week-before")
            result.note = (f"setup: {how}; each run starts from a copy of that project "
                           "(data/issues, chart cache, site)")
        self.repeat(result, lambda i: self.fresh("work", "week-before"), "one new week")

    def week_before_from_full(self) -> str | None:
        """The project as the previous week's build left it, derived from the cold backfill.

        Copy the full state, drop the snapshots dated after --until and build with --until:
        a full build keeps in the cache only what it used (and the compiled chart layouts,
        which belong to no week), so what is left is the previous week's project, cache
        included, without a second cold build.
        """
        work = self.fresh("work", "full")
        issues = work / "data" / "issues"
        dropped = []
        for path in sorted(issues.glob("*.json")) if issues.is_dir() else []:
            as_of = _snapshot_as_of(path)
            if as_of is None or as_of > self.until:
                path.unlink()
                dropped.append(path.stem)
        say(f"one new week: setup build with --until {self.until} from the cold backfill's "
            f"state (snapshots dropped: {', '.join(dropped) or 'none'})...")
        run = self.build(work, self.until)
        say(f"  {run.seconds:.1f} s; {summary(run)}")
        self.save(work, "week-before")
        return (f"the cold backfill's project minus snapshots after {self.until} "
                f"({', '.join(dropped) or 'none'}), rebuilt with --until {self.until} "
                f"({run.seconds:.0f} s; that full build prunes the cache to what it used)")


def _snapshot_as_of(path: Path) -> dt.date | None:
    import json

    try:
        return dt.date.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def code_hash(folder: Path) -> str:
    """sha256 (12 hex digits) of the .py files of a generator/ folder."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted(folder.rglob("*.py")):
        h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    return h.hexdigest()[:12]


def code_label(args: argparse.Namespace, folder: Path) -> str:
    """Which generator code ran: git commit, whether generator/ differs from it, a hash."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--",
                                "generator", "templates"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        head, dirty = "", ""
    where = "live checkout" if args.live_code else "copy taken at start, compiled"
    return (f"{where}; git {head or '?'}{' + uncommitted changes' if dirty else ''}; "
            f"generator/*.py sha256 {code_hash(folder)}")


def noon_after(day: dt.date) -> int:
    """SOURCE_DATE_EPOCH of noon UTC the day after `day`."""
    noon = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    return int(noon.timestamp())


def last_data_date(folder: Path) -> dt.date:
    """The last date of ^RUT (the week clock of the site), else of any CSV in `folder`."""
    files = [folder / "_RUT.csv"] if (folder / "_RUT.csv").is_file() else sorted(
        folder.glob("*.csv"))
    last = None
    for path in files:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 4096))
            lines = [x for x in f.read().decode("utf-8", "replace").splitlines() if x.strip()]
        try:
            d = dt.date.fromisoformat(lines[-1].split(",")[0].strip()[:10])
        except (ValueError, IndexError):
            continue
        last = d if last is None or d > last else last
    if last is None:
        raise SystemExit(f"{folder}: no CSV file with a date in its last line")
    return last


def copy_project(src: Path, dest: Path) -> None:
    """Copy a project as it is on disk, hard links included: a build links the site's
    files to its cache's, and a copy that broke those links would make the next build
    write every file of the site again, which no build on the project itself does."""
    first: dict[tuple[int, int], str] = {}

    def copy(s: str, d: str) -> str:
        st = os.stat(s)
        if st.st_nlink > 1:
            seen = first.get((st.st_dev, st.st_ino))
            if seen is not None:
                os.link(seen, d)
                return d
            first[(st.st_dev, st.st_ino)] = d
        return shutil.copy2(s, d)

    shutil.copytree(src, dest, symlinks=True, copy_function=copy)


def make_base_project(dest: Path) -> None:
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, symlinks=True)
        elif src.is_file():
            shutil.copy2(src, dest / name)
        else:
            raise SystemExit(f"{src}: missing; run from a checkout of the project")
    (dest / "data").mkdir()


def summary(run: Run) -> str:
    """The build's own one-line report (last 'built' line), for sanity checks."""
    lines = [x.strip() for x in (run.stderr + run.stdout).splitlines() if x.strip()]
    built = [x for x in lines if x.startswith("built")]
    text = built[-1] if built else (lines[-1] if lines else "(no output)")
    return text.replace(str(Path(tempfile.gettempdir())), "$TMP")


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- Pelican --------------------------------------------------------------------------------

WORDS = ("risk appetite small caps breakout credit spreads volatility bitcoin trend "
         "correlation altcoins season liquidity momentum drawdown rally yields dollar "
         "equities index weekly signal market breadth rotation flows sentiment").split()
CATEGORIES = ("Markets", "Crypto", "Credit", "Volatility", "Notes")
TAGS = ("breakout", "bitcoin", "credit", "vix", "altseason", "rates", "dollar")


def make_pelican_project(dest: Path, posts: int) -> None:
    rnd = random.Random(7)
    content = dest / "content"
    content.mkdir(parents=True)
    start = dt.date(2016, 1, 8)

    def sentence() -> str:
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(8, 18))]
        return " ".join(words).capitalize() + "."

    for i in range(posts):
        day = start + dt.timedelta(weeks=i)
        iso = day.isocalendar()
        title = f"Week {iso[0]}-W{iso[1]:02d}: " + " ".join(rnd.choice(WORDS) for _ in range(4))
        paras = []
        for p in range(rnd.randint(3, 5)):
            text = " ".join(sentence() for _ in range(rnd.randint(3, 6)))
            if p == 1:
                text += f" See **{rnd.choice(WORDS)}** and *{rnd.choice(WORDS)}*."
            paras.append(text)
        if i % 3 == 0:
            paras.append("\n".join(f"- {sentence()}" for _ in range(3)))
        body = "\n\n".join(paras)
        (content / f"{iso[0]}-w{iso[1]:02d}.md").write_text(
            f"Title: {title}\nDate: {day.isoformat()} 18:00\n"
            f"Category: {CATEGORIES[i % len(CATEGORIES)]}\n"
            f"Tags: {', '.join(rnd.sample(TAGS, 2))}\nSlug: {iso[0]}-w{iso[1]:02d}\n"
            f"Summary: {sentence()}\n\n{body}\n", encoding="utf-8")
    pages = content / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("Title: About\n\nA benchmark site.\n", encoding="utf-8")
    (dest / "pelicanconf.py").write_text(
        "AUTHOR = 'Bench'\nSITENAME = 'Pelican benchmark'\nSITEURL = ''\nPATH = 'content'\n"
        "TIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\nRELATIVE_URLS = True\n"
        "DELETE_OUTPUT_DIRECTORY = True\n", encoding="utf-8")


def pelican_venv(path: Path) -> Path:
    """A virtualenv with Pelican and Markdown (created once, then reused)."""
    exe = path / "bin" / "pelican"
    py = path / "bin" / "python"
    if exe.exists() and py.exists():
        probe = subprocess.run([str(py), "-c", "import pelican, markdown"], capture_output=True)
        if probe.returncode == 0:
            return exe
    say(f"creating {path} and installing pelican markdown (pip)...")
    if path.exists():
        shutil.rmtree(path)
    run_checked([sys.executable, "-m", "venv", str(path)], what="venv creation")
    run_checked([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "pelican", "markdown"], what="pip install pelican markdown")
    return exe


def run_pelican(args: argparse.Namespace, root: Path, results: dict[str, Result]) -> None:
    exe = pelican_venv(args.pelican_venv.resolve())
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    project = root / "pelican"
    make_pelican_project(project, args.posts)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1771675200", PYTHONHASHSEED="0")
    cmd = [str(exe), "content", "-o", "output", "-s", "pelicanconf.py", "-q"]

    def reps(result: Result, prepare, extra: list[str]) -> None:
        for i in range(1 + args.runs):
            prepare()
            run = measure(cmd + extra, cwd=project, env=env)
            tag = "warm-up" if i == 0 else f"run {i}/{args.runs}"
            say(f"{result.label} {tag}: {run.seconds:.2f} s")
            if i:
                result.runs.append(run)

    def clean() -> None:
        shutil.rmtree(project / "output", ignore_errors=True)
        shutil.rmtree(project / "cache", ignore_errors=True)

    full = results["pelican-full"]
    full.note = f"Pelican {version.stdout.strip() or '?'}, {args.posts} Markdown posts"
    try:
        reps(full, clean, [])
    except CommandFailed as exc:
        full.error = str(exc)
    again = results["pelican-rebuild"]
    try:
        clean()
        reps(again, lambda: None, [])
    except CommandFailed as exc:
        again.error = str(exc)
    cached = results["pelican-cached"]
    try:
        clean()
        reps(cached, lambda: None,
             ["-e", "LOAD_CONTENT_CACHE=true", "CACHE_CONTENT=true"])
    except CommandFailed as exc:
        cached.error = str(exc)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "market",
                   help="folder of market CSV files (riskon build --source csv:DIR)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per scenario after a warm-up")
    p.add_argument("--cold-runs", type=int, default=1, help="timed cold backfills (no warm-up)")
    p.add_argument("--only", default=",".join(SCENARIOS),
                   help="comma-separated subset of: " + ", ".join(SCENARIOS))
    p.add_argument("--skip-pelican", action="store_true", help="do not run Pelican")
    p.add_argument("--posts", type=int, default=520, help="Markdown posts of the Pelican site")
    p.add_argument("--pelican-venv", type=Path, default=HERE / ".pelican-venv",
                   help="virtualenv for Pelican (created with pip on first use, then reused)")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter with the generator installed")
    p.add_argument("--epoch", type=int, default=None,
                   help="SOURCE_DATE_EPOCH (default: noon UTC the day after the last data date)")
    p.add_argument("--since", default=None, metavar="DATE",
                   help="pass --since DATE to every build (fewer issues: a quick smoke test, "
                   "not the benchmark)")
    p.add_argument("--cold-setup", action="store_true",
                   help="one new week: set up with its own cold build with --until instead "
                   "of deriving the previous week's state from the cold backfill")
    p.add_argument("--live-code", action="store_true",
                   help="run the generator from the checkout itself instead of a copy of "
                   "generator/ taken at start (edits during the benchmark then leak in)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = p.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.only if s not in SCENARIOS]
    if unknown:
        p.error(f"--only: unknown scenario(s) {', '.join(unknown)} (use {', '.join(SCENARIOS)})")
    if args.skip_pelican and "pelican" in args.only:
        args.only.remove("pelican")
    if args.runs < 1 or args.cold_runs < 0:
        p.error("--runs must be >= 1 and --cold-runs >= 0")
    if not args.data.is_dir():
        p.error(f"--data {args.data}: no such folder")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = args.only
    root = Path(tempfile.mkdtemp(prefix="riskon-bench-"))
    results = {
        "cold": Result("cold", "cold backfill (no snapshots, no cache)", 90.0, True),
        "nochange": Result("nochange", "no-change rebuild", 0.8),
        "frozen": Result("frozen", "full rebuild from frozen snapshots", 4.0),
        "newweek": Result("newweek", "one new week", 3.5),
        "pandas": Result("pandas", "python -c 'import pandas'"),
        "pelican-full": Result("pelican-full", "Pelican full build"),
        "pelican-rebuild": Result("pelican-rebuild", "Pelican rebuild, nothing changed"),
        "pelican-cached": Result("pelican-cached", "Pelican rebuild, content cache on"),
        "hugo": Result("hugo", "Hugo (issue's figure)", reference=HUGO_FIGURE_SECONDS),
    }
    order = [k for k in results if (k.split("-")[0] in only) or k == "hugo"]
    if args.cold_runs == 0 and "cold" in order:
        order.remove("cold")
    failed = False
    try:
        bench = Bench(args, root)
        say(f"temporary folder {root}; data {bench.data} (last date {bench.last}); "
            f"SOURCE_DATE_EPOCH={bench.epoch}; interpreter {args.python}; "
            f"{os.cpu_count()} CPUs, load average "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        code_dir = bench.code / "generator" if bench.code else REPO / "generator"
        label = code_label(args, code_dir)
        say(f"generator code: {label}")
        for name in ("cold", "nochange", "frozen", "newweek"):
            if name not in order:
                continue
            result = results[name]
            try:
                if name == "cold":
                    bench.full_state(result)
                    continue
                if "full" not in bench.states and name in ("nochange", "frozen"):
                    bench.full_state(None)
                getattr(bench, name)(result)
            except CommandFailed as exc:
                result.error = str(exc)
                say(f"{result.label}: FAILED\n{exc}")
        if "full" in bench.setup_notes:
            for n in ("nochange", "frozen"):
                if n in order and not results[n].note:
                    results[n].note = bench.setup_notes["full"]
        if "pandas" in order:
            result = results["pandas"]
            try:
                for i in range(1 + args.runs):
                    run = measure([args.python, "-c", "import pandas"], cwd=root,
                                  env=dict(os.environ))
                    if i:
                        result.runs.append(run)
                say(f"import pandas: median {result.median:.2f} s")
            except CommandFailed as exc:
                result.error = str(exc)
                say(f"import pandas: FAILED\n{exc}")
        if "pelican" in only:
            try:
                run_pelican(args, root, results)
            except CommandFailed as exc:
                for k in ("pelican-full", "pelican-rebuild", "pelican-cached"):
                    results[k].error = results[k].error or str(exc)
                say(f"Pelican: FAILED\n{exc}")
        shown = [results[k] for k in order]
        print()
        print(f"Risk-On Monitor build benchmarks, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
              f"{os.cpu_count()} CPUs, load average now "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"generator code: {label}")
        if bench.code and code_hash(REPO / "generator") != code_hash(code_dir):
            print("  (the checkout's generator/ has changed since; the runs used the copy)")
        print()
        print_table(shown)
        for r in shown:
            if r.error:
                failed = True
                print(f"\nFAILED {r.label}:\n{r.error}")
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
