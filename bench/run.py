"""Benchmark kbtool on a synthetic knowledge base of N records (default 10,000).

    .venv/bin/python bench/run.py [-n 10000] [--json results.json] [--keep DIR]

The corpus is the real records replicated under new ids (`<id>-r<k>`, references
rewritten to the same copy) so that every copy stays valid; records that do not
validate, or that refer to one that does not, are left out. It is written to a
temporary folder (removed afterwards unless --keep) and then, in one run:

- the parse-only floor (libyaml loading the same files, in a fresh interpreter)
  against `kbtool validate` and `kbtool site` (with its peak memory);
- a full `kbtool index --rebuild` against `kbtool index` after changing one record;
- in-process query latency (p50/p95) of term, phrase, field-filter and snippet
  queries, on a searcher kept open (and, for reference, opened per query); every query
  counts all its matches, and each term query's total is checked against a direct
  count of its postings;
- the wall time of `kbtool remedies NY` and `kbtool search` against the bare
  interpreter floor (`python -c "import click, yaml"`).

It prints times and ratios, with the targets of issue 4. Wall times are medians of
several runs, after a warm-up run, with bytecode caching on (in a temporary
PYTHONPYCACHEPREFIX, whatever PYTHONDONTWRITEBYTECODE says); a busy machine makes
them noisier, not smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kbtool.index import Filters, SearchIndex  # noqa: E402
from kbtool.kb import KB, KINDS  # noqa: E402
from kbtool.loader import load_plain  # noqa: E402
from kbtool.validate import validate  # noqa: E402

REFERENCE_KEYS = ("related_statutes", "related_remedies")
TERM_QUERIES = [
    "vacatur",
    "expungement",
    "restitution",
    "immunity",
    "minor",
    "labor",
    "coercion",
    "prostitution",
    "damages",
    "sealing",
    "visa",
    "debt",
    "440.10",
    "1595",
]
PHRASE_QUERIES = [
    '"knowingly benefits"',
    '"due diligence"',
    '"official documentation"',
    '"sex trafficking"',
    '"attorney\'s fees"',
    '"statute of limitations"',
]
FILTER_QUERIES: list[tuple[str, Filters]] = [
    ("vacatur", Filters(jurisdiction="US-NY")),
    ("damages", Filters(remedy_type="civil_action")),
    ("trafficking", Filters(jurisdiction="US-CA", kind="statute")),
    ("minor", Filters(remedy_type="safe_harbor_minors")),
    ("type:criminal_record_relief AND sealing", Filters()),
    ("jurisdiction:fl AND immunity", Filters()),
]


# --- the synthetic corpus ------------------------------------------------------------------


def clean_records(source: KB) -> tuple[list[tuple[str, Path, dict]], int]:
    """The real records that validate, minus those referring to one that does not."""
    report = validate(source)
    bad = {f.path for f in report.findings if f.severity == "error"}
    records = []
    for kind in KINDS:
        for path in source.record_files(kind):
            rel = path.relative_to(source.root).as_posix()
            if rel not in bad:
                records.append((kind, path, load_plain(path)))
    while True:
        ids = {data["id"] for _, _, data in records}
        keep = [r for r in records if all(ref in ids for ref in references(r[2]))]
        if len(keep) == len(records):
            break
        records = keep
    total = sum(len(source.record_files(k)) for k in KINDS)
    return records, total - len(records)


def references(data: dict) -> list[str]:
    refs = [r["statute"] for r in data.get("legal_basis") or [] if isinstance(r, dict)]
    for key in REFERENCE_KEYS:
        refs.extend(data.get(key) or [])
    return refs


def renamed(data: dict, suffix: str, present: set[str]) -> dict:
    """A copy of a record under `id + suffix`, its references pointing to the same copy;
    optional references to records not in this (partial) copy are dropped."""
    out = dict(data)
    out["id"] = data["id"] + suffix
    if data.get("legal_basis"):
        out["legal_basis"] = [dict(r, statute=r["statute"] + suffix) for r in data["legal_basis"]]
    for key in REFERENCE_KEYS:
        if key in data:
            kept = [r + suffix for r in data[key] if r + suffix in present]
            if kept:
                out[key] = kept
            else:
                del out[key]
    return out


def build_corpus(records: list[tuple[str, Path, dict]], source: KB, dest: Path, n: int) -> dict:
    """Write `n` records into `dest` (a new knowledge base); statutes of a copy come first."""
    shutil.copytree(source.schema_dir, dest / "schema")
    ordered = sorted(records, key=lambda r: r[0] != "statute")
    counts = {"statute": 0, "remedy": 0}
    written, copy, size = 0, 0, 0
    while written < n:
        suffix = "" if copy == 0 else f"-r{copy}"
        batch = ordered[: n - written]
        statutes = {data["id"] for kind, _, data in batch if kind == "statute"}
        batch = [  # in a last, partial copy, remedies whose statutes did not fit are left out
            (kind, path, data)
            for kind, path, data in batch
            if kind == "statute"
            or all(r["statute"] in statutes for r in data.get("legal_basis") or [])
        ]
        present = {data["id"] + suffix for _, _, data in batch}
        for kind, path, data in batch:
            record = renamed(data, suffix, present)
            target = dest / path.relative_to(source.root).parent / f"{record['id']}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = yaml.dump(
                record, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100
            )
            target.write_text(text, "utf-8")
            size += len(text.encode())
            counts[kind] += 1
            written += 1
        copy += 1
    return {
        "records": written,
        "statutes": counts["statute"],
        "remedies": counts["remedy"],
        "bytes": size,
        "copies": copy,
    }


# --- measuring -------------------------------------------------------------------------------


def kbtool_command() -> list[str]:
    script = Path(sys.executable).parent / "kbtool"
    return [str(script)] if script.exists() else [sys.executable, "-m", "kbtool"]


def wall(cmd: list[str], runs: int, env: dict[str, str], check: bool = True) -> dict:
    """Median and min wall time of a command, over `runs` runs (after one warm-up)."""
    times, code = [], 0
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        code = done.returncode
        if check and code != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {done.stderr.decode()[-500:]}")
    return {"median": statistics.median(times), "min": min(times), "runs": runs, "exit": code}


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> float:
    """Peak resident memory of one run of a command, in MB (a fresh child process)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *cmd], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip() or 0) / 1024


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - start


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered) * 1000, "p95": p95 * 1000, "n": len(ordered)}


def latencies(run: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def query_latency(kb: KB, index_dir: Path, repeat: int) -> dict:
    out: dict[str, dict] = {}
    with SearchIndex(kb, index_dir, keep_open=True) as index:
        index.search("warm up", snippets=True)
        for name, cases, snippets in (
            ("term", [(q, Filters()) for q in TERM_QUERIES], False),
            ("phrase", [(q, Filters()) for q in PHRASE_QUERIES], False),
            ("field filter", FILTER_QUERIES, False),
            ("snippet (term + 10 snippets)", [(q, Filters()) for q in TERM_QUERIES], True),
        ):
            samples: list[float] = []
            for query, filters in cases:
                index.search(query, filters, snippets=snippets)  # first touch of its postings
                samples += latencies(
                    lambda q=query, f=filters, s=snippets: index.search(q, f, snippets=s), repeat
                )
            out[name] = percentiles(samples)
    cold: list[float] = []
    index = SearchIndex(kb, index_dir)
    for query in TERM_QUERIES:
        cold += latencies(lambda q=query: index.search(q, snippets=False), max(1, repeat // 2))
    out["term, index opened per query"] = percentiles(cold)
    return out


def exact_totals(kb: KB, index_dir: Path) -> dict:
    """Each single-word term query's total against a direct count: the documents whose
    postings hold the word's stem in any searched field (the union, read from the index)."""
    from whoosh import index as whoosh_index

    from kbtool.index import QUERY_FIELDS, WhooshEngine

    engine = WhooshEngine()
    rows = []
    with SearchIndex(kb, index_dir, keep_open=True) as ix:
        gen = ix.current()
        assert gen is not None
        with whoosh_index.open_dir(str(gen)).searcher() as searcher:
            reader = searcher.reader()
            for query in TERM_QUERIES:
                _, total = ix.search(query, snippets=False)
                stems = [t.text for t in engine.analyzer(query)]
                docs: set[int] = set()
                for name in QUERY_FIELDS:
                    for stem in stems:
                        if (name, stem) in reader:
                            docs.update(reader.postings(name, stem).all_ids())
                rows.append({"query": query, "total": total, "direct": len(docs)})
    return {"rows": rows, "exact": all(r["total"] == r["direct"] for r in rows)}


def touch_record(kb: KB, n: int) -> Path:
    """Change the summary of the n-th remedy (a real edit: new content hash)."""
    path = kb.record_files("remedy")[n * 7 % len(kb.record_files("remedy"))]
    data = load_plain(path)
    data["summary"] = f"(edit {n}) {data['summary']}"
    path.write_text(
        yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=100),
        "utf-8",
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=11, help="runs of each short command")
    parser.add_argument("--repeat", type=int, default=10, help="runs of each in-process query")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    source = KB(REPO)
    records, left_out = clean_records(source)
    if not records:
        raise SystemExit("no valid records to replicate")
    tmp = Path(tempfile.mkdtemp(prefix="kbtool-bench-"))
    root = args.keep or tmp / "kb"
    if root.exists():
        shutil.rmtree(root)
    try:
        corpus = build_corpus(records, source, root, args.records)
        corpus["left_out"] = left_out
        corpus["new_york"] = {
            kind: len(list((root / folder / "us-ny").glob("*.yaml")))
            for kind, folder in (("statutes", "statutes"), ("remedies", "remedies"))
        }
        corpus["real_records"] = len(records)
        results = measure(KB(root.resolve()), tmp, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["corpus"] = corpus
    results["machine"] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }
    results["seconds"] = time.perf_counter() - started
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    return 0


def measure(kb: KB, tmp: Path, args: argparse.Namespace) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBTOOL_")}
    env["NO_COLOR"] = "1"
    # Bytecode caching on, as for an installed kbtool (in a private folder, so nothing
    # is written into the checkout): without it every command compiles its modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    kbtool = [*kbtool_command(), "--root", str(kb.root)]
    index_dir = tmp / "index"
    floor_script = (
        "import sys, yaml\n"
        "from pathlib import Path\n"
        "root = Path(sys.argv[1])\n"
        "for folder in ('statutes', 'remedies'):\n"
        "    for p in sorted((root / folder).glob('*/*.yaml')):\n"
        "        yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
    )
    heavy = max(3, args.runs // 4)
    r: dict = {}
    r["parse_floor"] = wall([sys.executable, "-c", floor_script, str(kb.root)], heavy, env)
    r["validate"] = wall([*kbtool, "validate"], heavy, env, check=False)
    site = [*kbtool, "site", "--out", str(tmp / "site-pages")]
    r["site"] = wall(site, heavy, env)
    r["site"]["peak_rss_mb"] = peak_rss_mb(site, env)
    r["interpreter_floor"] = wall([sys.executable, "-c", "import click, yaml"], args.runs, env)
    r["remedies_ny"] = wall([*kbtool, "remedies", "NY"], args.runs, env)
    real = [*kbtool_command(), "--root", str(REPO), "remedies", "NY"]
    r["remedies_ny_real"] = wall(real, args.runs, env)
    r["remedies_ny_federal"] = wall([*kbtool, "remedies", "NY", "--with-federal"], args.runs, env)
    r["compare_ny_ca"] = wall([*kbtool, "compare", "NY", "CA"], args.runs, env)
    index = [*kbtool, "index", "--index-dir", str(index_dir)]
    r["index_full"] = {"median": timed([*index, "--rebuild"], env), "runs": 1}
    incremental = []
    for n in range(3):
        touch_record(kb, n)
        incremental.append(timed(index, env))
    r["index_incremental"] = {
        "median": statistics.median(incremental),
        "min": min(incremental),
        "runs": len(incremental),
    }
    r["index_noop"] = wall(index, 3, env)
    search = [*kbtool, "search", "vacatur", "--index-dir", str(index_dir)]
    r["search_cli"] = wall(search, args.runs, env)
    r["queries"] = query_latency(kb, index_dir, args.repeat)
    r["totals"] = exact_totals(kb, index_dir)
    return r


def report(r: dict) -> str:
    c, m = r["corpus"], r["machine"]

    def s(x: float) -> str:
        return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"

    def row(label: str, t: float, base: str = "", ratio: str = "", target: str = "", ok=None):
        verdict = "" if ok is None else ("yes" if ok else "NO")
        return f"| {label} | {s(t)} | {base} | {ratio} | {target} | {verdict} |"

    pf, va = r["parse_floor"]["median"], r["validate"]["median"]
    full, inc = r["index_full"]["median"], r["index_incremental"]["median"]
    fl = r["interpreter_floor"]["median"]
    rem, search = r["remedies_ny"]["median"], r["search_cli"]["median"]
    lines = [
        f"kbtool benchmark: {c['records']:,} records ({c['statutes']:,} statutes, "
        f"{c['remedies']:,} remedies; {c['copies']} copies of {c['real_records']} valid real "
        f"records, {c['left_out']} left out), {c['bytes'] / 1e6:.1f} MB of YAML; New York "
        f"holds {c['new_york']['remedies']} remedies and {c['new_york']['statutes']} statutes",
        f"Python {m['python']} on {m['platform']}, {m['cpus']} CPUs; "
        f"wall times are medians of several runs",
        "",
        "| measurement | time | against | ratio | target | met |",
        "|---|---|---|---|---|---|",
        row("parse-only floor (libyaml, fresh interpreter)", pf),
        row(
            "`kbtool validate`"
            + ("" if r["validate"]["exit"] == 0 else f" (exit {r['validate']['exit']})"),
            va,
            "parse floor",
            f"{va / pf:.2f}x",
            "≤ 3x",
            va / pf <= 3,
        ),
        row(
            f"`kbtool site` (peak {r['site']['peak_rss_mb']:.0f} MB)",
            r["site"]["median"],
            "parse floor",
            f"{r['site']['median'] / pf:.2f}x",
            "≤ 2x",
            r["site"]["median"] / pf <= 2,
        ),
        row("`kbtool index --rebuild` (full build)", full),
        row(
            "`kbtool index` after changing one record",
            inc,
            "full build",
            f"{100 * inc / full:.1f}%",
            "≤ 5%",
            inc / full <= 0.05,
        ),
        row(
            "`kbtool index` with nothing changed",
            r["index_noop"]["median"],
            "full build",
            f"{100 * r['index_noop']['median'] / full:.1f}%",
        ),
        row('interpreter floor (`python -c "import click, yaml"`)', fl),
        row(
            "`kbtool remedies NY`",
            rem,
            "interpreter floor",
            f"{rem / fl:.2f}x",
            "≤ 1.5x",
            rem / fl <= 1.5,
        ),
        row(
            "`kbtool remedies NY` on the real knowledge base (for scale)",
            r["remedies_ny_real"]["median"],
            "interpreter floor",
            f"{r['remedies_ny_real']['median'] / fl:.2f}x",
            "(≤ 1.5x)",
            r["remedies_ny_real"]["median"] / fl <= 1.5,
        ),
        row(
            "`kbtool remedies NY --with-federal`",
            r["remedies_ny_federal"]["median"],
            "interpreter floor",
            f"{r['remedies_ny_federal']['median'] / fl:.2f}x",
        ),
        row(
            "`kbtool compare NY CA`",
            r["compare_ny_ca"]["median"],
            "interpreter floor",
            f"{r['compare_ny_ca']['median'] / fl:.2f}x",
        ),
        row(
            "`kbtool search vacatur` (index up to date)",
            search,
            "interpreter floor",
            f"{search / fl:.2f}x",
        ),
        "",
        "| in-process query (10 hits) | p50 | p95 | runs | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, q in r["queries"].items():
        target = "p50 < 20 ms" if name in ("term", "field filter") else ""
        ok = "" if not target else ("yes" if q["p50"] < 20 else "NO")
        lines.append(
            f"| {name} | {q['p50']:.1f} ms | {q['p95']:.1f} ms | {q['n']} | {target} | {ok} |"
        )
    totals = r["totals"]
    lines += [
        "",
        "Totals (every query above counts all its matches): "
        + ", ".join(f"{t['query']} {t['total']:,}" for t in totals["rows"])
        + "; equal to a direct count of the postings: "
        + ("yes" if totals["exact"] else "NO")
        + "".join(
            f"\n  {t['query']}: reported {t['total']:,}, direct count {t['direct']:,}"
            for t in totals["rows"]
            if t["total"] != t["direct"]
        ),
    ]
    lines += ["", f"Benchmark took {r['seconds']:.0f} s."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
