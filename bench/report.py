"""The benchmark's results file and chart (bench/run.py's figures), and the pointers to the latest run.

``write(results)`` writes bench/results/<date>-<database>-<briefs>.md and a PNG chart beside it,
then bench/results/latest.md and the README's block between ``<!-- bench:latest -->`` markers.
"""

import json
import re
from pathlib import Path

import run

RESULTS = run.RESULTS
README = run.ROOT / "README.md"
MODES = ("hit", "hit gzip", "miss", "miss gzip")


def figure(value, unit):
    if unit == "%":
        return f"{value:.1%}"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "yes/no":
        return "yes" if value else "no"
    return f"{value:,}"


def describe(found):
    sign = {"%": ">=", "x": "<=", "ms": "<=", "yes/no": "=", "": "<="}[found["unit"]]
    if found["what"].endswith("errors") or found["what"].endswith("status"):
        sign = "="
    target = figure(found["target"], found["unit"])
    return f"{found['what']}: {figure(found['figure'], found['unit'])} (target {sign} {target})"


def _name(results, scale_only):
    vendor = results.get("vendor", "sqlite")
    if scale_only:
        return f"{results['date']}-{vendor}-scale"
    cold_only = "pages" not in results and "cold" in results  # BENCH_ONLY=cold
    return f"{results['date']}-{vendor}-{results['settings']['briefs']}" + ("-cold" if cold_only else "")


def _rps(measured):
    text = f"{measured['rps']:,.0f} ({' / '.join(f'{p:,.0f}' for p in measured['passes'])})"
    if measured.get("requests", 100) < 20:  # a page slower than the passes are long
        text += f", only {measured['requests']} requests"
    return text


def markdown(results, chart_name=None):
    m, t, s = results["machine"], results["tools"], results["settings"]
    vendor = results.get("vendor", "sqlite")
    if "pages" in results:
        lines = [f"# Benchmark, {results['date']}: {vendor}, {s['briefs']:,} generated briefs", ""]
    elif "cold" in results:
        lines = [f"# Cold pages benchmark, {results['date']}: {vendor}, {s['briefs']:,} generated briefs", ""]
    else:
        sizes = " and ".join(f"{size:,}" for size in results["scale"]["sizes"])
        lines = [f"# Scale benchmark, {results['date']}: {vendor}, {sizes} generated briefs", ""]
    lines += ["Written by `make bench` (bench/run.py). Machines are shared: compare ratios within a run.", ""]
    lines += ["## Machine and settings", "", "| | |", "|---|---|"]
    load = ", ".join(f"{value:.2f}" for value in m["load_at_start"])
    rows = [
        ("CPU", f"{m['cpu']}, {m['cores']} cores"),
        ("RAM", f"{m['ram_gb']} GB"),
        ("Kernel", m["kernel"]),
        ("Load average at start (1, 5, 15 min)", load),
        ("Python / Django", f"{t['python']} / {t['django']}"),
        ("Database server", results.get("database_server", vendor)),
        ("gunicorn", f"{t['gunicorn']}, 2 sync workers, DEBUG off, collected static files (manifest)"),
        (
            "Load",
            f"{t['wrk']}: `wrk -t2 -c{s['connections']}`, {s['warmup']} s warm-up + {s['passes']} x {s['seconds']} s",
        ),
        ("Cache", f"{s['cache']} (the page cache's store; misses: PUBLIC_PAGE_CACHE_SECONDS=0, other caches on)"),
        ("Varnish", t["varnish"] or "not installed"),
        ("Wall time", f"{results['wall_seconds'] / 60:.1f} min"),
    ]
    if "pages" not in results:
        dropped = ("Varnish",) if "cold" in results else ("Load", "Varnish")
        rows = [row for row in rows if row[0] not in dropped]
    if "seed" in results:
        seed = results["seed"]
        built = "reused (BENCH_REUSE=1)" if seed["reused"] else f"generated in {seed['generated_seconds']:.0f} s"
        if seed.get("citations_seconds") is not None:  # #21: made as the worker would, once per brief
            built += f"; citations made in {seed['citations_seconds']:.0f} s"
        rows.insert(6, ("Data", f"{seed['live_briefs']:,} live briefs ({seed['generated_briefs']:,} {built})"))
    lines += [f"| {a} | {b} |" for a, b in rows] + [""]

    if "pages" in results:
        floor = results["floor_rps"]
        lines += ["## Pages against the floor", ""]
        lines += [
            f"The floor is `/_bench/floor/` (serving/floor.py): the brief page's {results['floor_bytes']:,} bytes "
            "from memory, through the same middleware and gunicorn, requested **without** `Accept-Encoding`. "
            "The machine's load changes during a run, so each page is compared with a pass of the floor "
            "measured just before it (the last column): every ratio below is over that floor. Those passes "
            f"ranged from {min(results['floors']):,.0f} to {max(results['floors']):,.0f} req/s "
            f"(mean **{floor:,.0f} req/s**). After every wrk run the bench waits until gunicorn has answered "
            "the requests wrk left in flight, so a slow page does not eat into the next measurement.",
            "",
            "**Hits**: the page cache on and warm. **Misses**: a second gunicorn with the page cache off "
            "(every request renders the page; other caches stay on). *gzip*: with `Accept-Encoding: gzip`. "
            "req/s is the mean of the passes (in brackets). Queries and render time are measured in process "
            f"with the page cache off (median of {s['renders']} renders).",
            "",
            "| page | queries | render ms | hit req/s | / floor | hit gzip | / floor | miss req/s | / floor "
            "| miss gzip | / floor | floor (hits / misses) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, page in results["pages"].items():
            cells = [name, str(page["queries"]), f"{page['render_ms']:.1f}"]
            for mode in MODES:
                measured = page.get(mode)
                if measured is None:
                    cells += ["not cached", ""]
                else:
                    target = run.MISS_FLOOR.get(name) if mode.startswith("miss") else run.HIT_FLOOR
                    ratio = measured["rps"] / measured["floor"]
                    mark = "" if target is None else (" ✓" if ratio >= target else " ✗")
                    cells += [_rps(measured), f"{ratio:.1%}{mark}"]
            floors = [f"{page[k]:,.0f}" if k in page else "-" for k in ("hit floor", "miss floor")]
            cells.append(" / ".join(floors))
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "Latency under load (median / p99 ms; the worst pass's p99) and body size (bytes):", ""]
        lines += ["| page | hit | hit gzip | miss | miss gzip | bytes | gzip bytes |", "|---|---|---|---|---|---|---|"]
        for name, page in results["pages"].items():
            cells = [name]
            for mode in MODES:
                measured = page.get(mode)
                cells.append("" if measured is None else f"{measured['median_ms']:.1f} / {measured['p99_ms']:.1f}")
            cells += [f"{page.get('miss bytes', 0):,}", f"{page.get('miss gzip bytes', 0):,}"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    if "cold" in results:
        lines += cold_markdown(results)
    if "search" in results:
        found = results["search"]
        lines += ["## Search (#12)", ""]
        lines += [
            f"Two words and one type facet, the whole page rendered in process: {found['searches']} searches "
            f"(median {found['median_results']:,} results): **p95 {found['p95_ms']:.1f} ms**, median "
            f"{found['median_ms']:.1f} ms, max {found['max_ms']:.1f} ms; queries {found['queries']}"
            + (f"; GIN index used: {'yes' if found['gin_index_used'] else 'no'}" if "gin_index_used" in found else "")
            + ".",
            "",
        ]
        if "first_p95_ms" in found:
            lines += [
                f"Each search's first render (its result cards not kept yet): p95 {found['first_p95_ms']:.1f} ms, "
                f"median {found['first_median_ms']:.1f} ms.",
                "",
            ]
        if found.get("plan"):
            lines += ["```", found["plan"], "```", ""]
    if "edit" in results:
        edited = results["edit"]
        base, during = edited["baseline"], edited["during"]
        lines += ["## Edit under load", ""]
        lines += [
            f"`wrk -t2 -c{s['connections']}` cycling over {edited['pages']} pages (20 brief pages, 5 issue pages) "
            f"of the page-cached server for {edited['seconds']} s, while another process adds a correction to "
            "the first of those briefs every second through `briefs.workflow.add_correction` (what the admin's "
            "*Add correction* runs) and then reads its page. Responses are counted by their `X-Page-Cache` header.",
            "",
            "| | req/s | requests | hits | misses | no header | errors | hit rate | median ms | p99 ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for label, r in (("without edits", base), ("a correction a second", during)):
            lines.append(
                f"| {label} | {r['rps']:,.0f} | {r['requests']:,} | {r['hits']:,} | {r['misses']:,} | {r['other']:,} | "
                f"{r['errors'] + r['lua_errors']:,} | {r['hit_rate']:.2%} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} |"
            )
        lines += [
            "",
            f"Corrections saved: {edited['corrections']} (median {edited['save_ms']:.0f} ms to save); on the page at "
            f"once (the read right after the save): {edited['fresh']} (median read {edited['read_after_save_ms']:.0f} "
            f"ms); all on the page at the end: {edited['shown_at_end']}.",
            "",
        ]
    if results.get("varnish"):
        lines += ["## Varnish", ""]
        lines += [
            "deploy/varnish/default.vcl in front of the page-cached gunicorn; every page is a Varnish hit. The "
            "floor here is the same brief page's bytes as a static file (`/static/bench/brief-page.html`, "
            "and its .gz) served by Varnish.",
            "",
            "| page | encoding | req/s (passes) | / static file |",
            "|---|---|---|---|",
        ]
        for row in results["varnish"]:
            passes = " / ".join(f"{p:,.0f}" for p in row["passes"])
            lines.append(f"| {row['name']} | {row['encoding']} | {row['rps']:,.0f} ({passes}) | {row['ratio']:.1%} |")
        lines.append("")
    elif "pages" in results:
        lines += ["## Varnish", "", "Not measured: varnishd with varnish-modules (xkey) is not installed.", ""]
    if results.get("scale"):
        scale = results["scale"]
        lines += ["## Scale", ""]
        lines += [
            f"Miss latency in process (page cache off, median of {s['renders']} renders) of the same brief and "
            "issue pages at each size, and SQL queries.",
            "",
            "| page | " + " | ".join(f"{size:,} briefs" for size in scale["sizes"]) + " | ratio |",
            "|---|" + "---|" * (len(scale["sizes"]) + 1),
        ]
        for page, ratio in scale["ratios"].items():
            cells = [
                f"{found['pages'][page]['render_ms']:.1f} ms, {found['pages'][page]['queries']} queries"
                for found in scale["sizes"].values()
            ]
            lines.append(f"| {page} | " + " | ".join(cells) + f" | {ratio:.2f}x |")
        lines.append("")
    checks = results["targets"]
    missed = [c for c in checks if not c["met"]]
    lines += ["## Targets", "", f"{len(checks) - len(missed)} of {len(checks)} met.", ""]
    lines += ["| | figure | target | |", "|---|---|---|---|"]
    for c in checks:
        sign = describe(c).rsplit("(target ", 1)[1].rstrip(")")
        lines.append(f"| {c['what']} | {figure(c['figure'], c['unit'])} | {sign} | {'met' if c['met'] else 'MISSED'} |")
    lines.append("")
    if chart_name:
        lines += ["## Chart", "", f"![Hits and misses against the floor]({chart_name})", ""]
    return "\n".join(lines)


def cold_markdown(results):
    """The "Cold pages" section: first renders of distinct URLs, and the warm miss."""
    cold = results["cold"]
    lines = ["## Cold pages (#21)", ""]
    lines += [
        "First renders of pages no one has asked for since the cache was emptied, as a crawler or the first "
        "readers after a deploy meet them. For each kind, a new gunicorn (2 workers) on an emptied cache (page "
        "cache, fragments, remembered values and the versions file gone), a pass of the floor "
        f"({cold['floor_bytes']:,} bytes from memory), {cold.get('probes', 0)} URLs requested one at a time "
        "(not counted: they size the run, compile the templates and fill site-wide remembered values), then "
        f"`wrk -t2 -c{results['settings']['connections']}` with bench/cold.lua for at most {cold['seconds']} s "
        "(less when the list would not last): every URL of a shuffled list (every live brief; every page of "
        "every issue; every `?page=` and `?quoted=` page of every expert) handed out at most once, the two "
        "threads taking alternate lines; every response is checked to be a miss (`X-Page-Cache`), so no page was "
        "served twice. **Warm miss**: the pages that crawl rendered, over and over, from a new gunicorn with the "
        "page cache off (`PUBLIC_PAGE_CACHE_SECONDS=0`) on the cache the crawl filled: no whole page kept or "
        "served, fragments and remembered values kept (storing the page, which this skips, is one gzip and one "
        f"write); a {results['settings']['warmup']} s warm-up, then {cold['seconds']} s.",
        "",
        "| page | | req/s | / floor | p50 / p99 ms | distinct URLs (of listed) | errors | floor req/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for name, page in cold["pages"].items():
        for mode in ("cold", "warm miss"):
            measured = page.get(mode)
            if measured is None:
                continue
            latency = f"{measured['median_ms']:.1f} / {measured['p99_ms']:.1f}"
            urls = f"{measured['distinct']:,} (of {measured['listed']:,})"
            if measured.get("cycled"):
                urls = f"{measured['listed']:,}, cycled ({measured['requests']:,} requests)"
            if measured["method"] == "in process":
                notes.append(
                    f"{name} {mode}: {measured['listed']} URLs, too few for a crawl at this pace: each page's "
                    "render was timed in process (one process, page cache on, after one untimed render), not "
                    "under load."
                )
                cells = [name, mode, "in process", "", latency, urls, f"{measured['errors']:,}", ""]
            else:
                ratio = measured["rps"] / measured["floor"]
                target = run.COLD_FLOOR.get(name) if mode == "cold" else None
                mark = "" if target is None else (" ✓" if ratio >= target else " ✗")
                rps = f"{measured['rps']:,.1f}" + (" (list ran out)" if measured["exhausted"] else "")
                floor = f"{measured['floor']:,.0f}"
                cells = [name, mode, rps, f"{ratio:.1%}{mark}", latency, urls, f"{measured['errors']:,}", floor]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [""]
    targets = ", ".join(f"{name} {target:.0%}" for name, target in run.COLD_FLOOR.items())
    lines += [f"Targets (cold, req/s over the floor): {targets}.", ""]
    lines += [note + "\n" for note in notes]
    return lines


def chart(results, path):
    """Hit and miss req/s per page as a fraction of the floor, with the targets."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    floor = results["floor_rps"]
    names = list(results["pages"])

    def ratio(measured):
        return measured["rps"] / measured["floor"] if measured else 0

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    width = 0.38
    xs = range(len(names))
    for axis, modes, colours in (
        (top, ("hit", "hit gzip"), ("#1f6f8b", "#7fb3c8")),
        (bottom, ("miss", "miss gzip"), ("#b5541c", "#e3a27a")),
    ):
        for offset, (mode, colour) in enumerate(zip(modes, colours, strict=True)):
            values = [ratio(results["pages"][n].get(mode)) for n in names]
            axis.bar([x + (offset - 0.5) * width for x in xs], values, width, label=mode, color=colour)
        axis.yaxis.set_major_formatter(PercentFormatter(1.0))
        axis.grid(axis="y", alpha=0.3)
        axis.legend(loc="upper right", fontsize=8)
    top.axhline(run.HIT_FLOOR, color="black", linestyle="--", linewidth=1)
    top.text(-0.5, run.HIT_FLOOR, f" target {run.HIT_FLOOR:.0%}", va="bottom", ha="left", fontsize=8)
    top.set_ylabel("hits / floor")
    top.set_ylim(0, 1.15)
    for x, name in enumerate(names):
        if name in run.MISS_FLOOR:
            bottom.hlines(run.MISS_FLOOR[name], x - 0.45, x + 0.45, color="black", linestyle="--", linewidth=1)
        if not results["pages"][name].get("hit"):
            top.text(x, 0.02, "not cached", rotation=90, ha="center", va="bottom", fontsize=8)
    bottom.set_ylabel("misses / floor (dashed: target)")
    top_miss = max([0.2] + [ratio(results["pages"][n].get(m)) for n in names for m in ("miss", "miss gzip")])
    bottom.set_ylim(0, top_miss * 1.15)
    bottom.set_xticks(list(xs), names, rotation=30, ha="right")
    vendor = results.get("vendor", "sqlite")
    fig.suptitle(
        f"Dossier, {results['date']}: {vendor}, {results['settings']['briefs']:,} briefs. Floor: the brief page's "
        f"bytes from memory, without gzip\n(mean {floor:,.0f} req/s; each page over the floor measured just before it)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(results, *, scale_only=False):
    """Write the results file (and chart); point latest.md and the README at it. Returns (text, path)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = _name(results, scale_only)
    path = RESULTS / f"{stem}.md"
    chart_name = None
    if "pages" in results:
        chart_name = f"{stem}.png"
        chart(results, RESULTS / chart_name)
    text = markdown(results, chart_name)
    path.write_text(text)
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=1, default=str))  # every figure
    if scale_only or "pages" not in results:  # a partial run (the scale, BENCH_ONLY=cold): not the latest
        return text, path
    checks = results["targets"]
    met = sum(c["met"] for c in checks)
    summary = (
        f"[{path.name}]({path.name}): {results.get('vendor', 'sqlite')}, {results['settings']['briefs']:,} "
        f"generated briefs, {met} of {len(checks)} targets met."
    )
    latest = ["# Latest benchmark", "", summary, ""]
    if chart_name:
        latest += [f"![Hits and misses against the floor]({chart_name})", ""]
    (RESULTS / "latest.md").write_text("\n".join(latest))
    readme = README.read_text()
    block = (
        "<!-- bench:latest (written by make bench) -->\n"
        f"Latest run: [bench/results/{path.name}](bench/results/{path.name}) ({results.get('vendor', 'sqlite')}, "
        f"{results['settings']['briefs']:,} briefs, {met} of {len(checks)} targets met; "
        "[bench/results/latest.md](bench/results/latest.md) always points at the newest).\n"
        + (f"\n![Hits and misses against the floor](bench/results/{chart_name})\n" if chart_name else "")
        + "<!-- /bench:latest -->"
    )
    pattern = re.compile(r"<!-- bench:latest.*?<!-- /bench:latest -->", re.S)
    if pattern.search(readme):
        README.write_text(pattern.sub(lambda _: block, readme))
    return text, path


if __name__ == "__main__":  # re-draw a chart: python bench/report.py results.json
    import sys

    found = json.loads(Path(sys.argv[1]).read_text())
    chart(found, Path(sys.argv[1]).with_suffix(".png"))
