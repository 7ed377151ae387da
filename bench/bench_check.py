"""Benchmark: ``docgen check`` end to end on a 60-file, ~2,000-page development-loan bundle.

Builds the bundle once (reportlab PDFs with Chinese text, a few scanned-style PDFs, DOCX,
JPG and a ``bundle.yaml``) in a temporary folder cached by the content of its recipe, then
times:

* the floor: one whole process that starts Python, imports pypdf, reads and hashes every file
  and reads each PDF's declared page count; interleaved with
* ``docgen check BUNDLE --format json`` as a whole process, cold (a cache folder never used:
  every file inspected, bundle.yaml validated; the shipped checklist's compiled form and
  python-stdnum's parsed place table are in the package after their first use, like bytecode)
  and warm (everything seen before),
  N rounds of floor, cold, warm; medians, bests, and the median of the per-round ratios to the
  floor, in wall and CPU time;
* for information, best of N in this process: a plain sequential loop that opens every PDF
  with pypdf and counts its pages, and ``inspect_bundle``.

It prints the figures, the ratios, and whether the 1 s target is met.
When the ``check`` command is not available yet, it times ``docgen inspect`` over every file
and ``inspect_bundle`` instead, and says so.

Usage: ``.venv/bin/python bench/bench_check.py [--runs N] [--zip] [--keep]``
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
RECIPE_VERSION = "2"

# (path, pages, style): style "text" = typeset report pages, "scan" = one JPEG per page.
PDFS: list[tuple[str, int, str]] = [
    ("01-申请前期/营业执照.pdf", 2, "scan"),
    ("01-申请前期/机构信用代码证.pdf", 1, "scan"),
    ("01-申请前期/开户许可证.pdf", 1, "scan"),
    ("01-申请前期/法定代表人身份证.pdf", 2, "scan"),
    ("01-申请前期/法定代表人签字样本及个人简历.pdf", 4, "text"),
    ("01-申请前期/审计报告2023年度.pdf", 150, "text"),
    ("01-申请前期/审计报告2024年度.pdf", 160, "text"),
    ("01-申请前期/审计报告2025年度.pdf", 170, "text"),
    ("01-申请前期/近期财务报表2026年9月.pdf", 36, "text"),
    ("01-申请前期/验资报告.pdf", 24, "text"),
    ("01-申请前期/公司章程.pdf", 30, "text"),
    ("01-申请前期/开发资质证书.pdf", 2, "scan"),
    ("01-申请前期/公司简历.pdf", 12, "text"),
    ("01-申请前期/12-授信业务申请书.pdf", 8, "text"),
    ("01-申请前期/项目总平图.pdf", 3, "text"),
    ("01-申请前期/可行性研究报告.pdf", 310, "text"),
    ("01-申请前期/立项批复.pdf", 6, "text"),
    ("01-申请前期/建设用地规划许可证.pdf", 3, "scan"),
    ("01-申请前期/国有土地使用证.pdf", 2, "scan"),
    ("01-申请前期/建设工程规划许可证.pdf", 3, "scan"),
    ("01-申请前期/施工许可证.pdf", 2, "scan"),
    ("01-申请前期/自筹资金到位证明.pdf", 18, "text"),
    ("01-申请前期/土地出让合同、出让款发票及契税完税证.pdf", 46, "text"),
    ("01-申请前期/资本公积专项审计报告.pdf", 72, "text"),
    ("01-申请前期/环境评估报告.pdf", 230, "text"),
    ("01-申请前期/预评估报告.pdf", 118, "text"),
    ("01-申请前期/银行上报/房地产开发贷款调查报告.pdf", 88, "text"),
    ("01-申请前期/银行上报/信用业务送审表.pdf", 6, "text"),
    ("01-申请前期/银行上报/企业征信报告.pdf", 42, "text"),
    ("01-申请前期/银行上报/项目操作管理方案.pdf", 58, "text"),
    ("01-申请前期/银行上报/信用评级工作表.pdf", 12, "text"),
    ("01-申请前期/银行上报/内部评级认定表.pdf", 8, "text"),
    ("02-签约前汇签/股东会决议及授权书.pdf", 4, "scan"),
    ("02-签约前汇签/不可撤销承诺函.pdf", 3, "scan"),
    ("02-签约前汇签/承诺函.pdf", 3, "scan"),
    ("02-签约前汇签/个人保证声明书.pdf", 3, "text"),
    ("02-签约前汇签/资金封闭运作管理协议书.pdf", 14, "text"),
    ("02-签约前汇签/有权人签字样本.pdf", 2, "scan"),
    ("02-签约前汇签/固定资产借款合同.pdf", 38, "text"),
    ("02-签约前汇签/抵押合同.pdf", 26, "text"),
    ("03-放款前/业务申请书.pdf", 4, "text"),
    ("03-放款前/法定代表人身份证明书.pdf", 2, "text"),
    ("03-放款前/董事会成员签字样本.pdf", 3, "scan"),
    ("03-放款前/环保批复.pdf", 5, "text"),
    ("03-放款前/土地规划及设计方案批复.pdf", 12, "text"),
    ("03-放款前/工程监理报告2026年10月.pdf", 96, "text"),
    ("03-放款前/工程进度完成情况说明.pdf", 20, "text"),
    ("03-放款前/国有土地使用权出让合同.pdf", 40, "text"),
    ("03-放款前/关联方关系声明函.pdf", 3, "text"),
    ("03-放款前/印章签字见证确认书.pdf", 2, "text"),
    ("03-放款前/提款申请书.pdf", 3, "text"),
    ("03-放款前/抵押物评估报告.pdf", 64, "text"),
    ("03-放款前/施工合同.pdf", 62, "text"),
    ("03-放款前/监理合同.pdf", 24, "text"),
    ("03-放款前/项目进度照片说明.pdf", 10, "scan"),
]
OTHER = ["01-申请前期/公司简历.docx", "02-签约前汇签/股东会决议及授权书.docx",
         "01-申请前期/项目现场照片.jpg", "03-放款前/工程形象进度.jpg"]
# + bundle.yaml = 60 files

LINES = [
    "一、企业基本情况:本公司依法设立,经营范围包括房地产开发经营、物业管理、建筑材料销售。",
    "二、财务状况:截至报告期末,资产总额人民币叁亿贰仟万元,负债总额人民币壹亿捌仟万元。",
    "三、项目概况:云栖花园一期总建筑面积约十二万平方米,计划总投资人民币叁亿元整。",
    "四、资金来源:自筹资金人民币壹亿肆仟万元已到位,拟申请银行开发贷款人民币壹亿元整。",
    "五、还款来源:项目销售回款,预计销售收入足以覆盖贷款本息,还款来源充足可靠。",
    "六、风险分析:市场风险、政策风险、工程风险均在可控范围之内,担保措施落实到位。",
]


def _recipe() -> dict:
    example_yaml = ROOT / "examples" / "bundle" / "bundle.yaml"
    return {
        "version": RECIPE_VERSION,
        "pdfs": PDFS,
        "other": OTHER,
        "bundle_yaml": hashlib.sha256(example_yaml.read_bytes()).hexdigest() if example_yaml.exists() else None,
    }


def _scan_jpeg(seed: int) -> bytes:
    """Return a noisy ~60 KB JPEG, like a scanner page (cannot compress to nothing)."""
    from PIL import Image

    rnd = random.Random(seed)
    img = Image.new("L", (620, 877), 245)
    px = img.load()
    for _ in range(40_000):
        px[rnd.randrange(620), rnd.randrange(877)] = rnd.randrange(0, 200)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def _write_pdf(path: Path, pages: int, style: str, seed: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    c.setTitle(path.stem)
    scan = ImageReader(io.BytesIO(_scan_jpeg(seed))) if style == "scan" else None
    for n in range(1, pages + 1):
        if scan is not None:
            c.drawImage(scan, 0, 0, width=A4[0], height=A4[1])
        else:
            c.setFont("STSong-Light", 16)
            c.drawString(72, 780, f"{path.stem}")
            c.setFont("STSong-Light", 10.5)
            y = 750
            for k in range(34):
                c.drawString(60, y, LINES[(n + k) % len(LINES)])
                y -= 20
            c.drawString(290, 40, f"第 {n} 页 共 {pages} 页")
        c.showPage()
    c.save()


def build_bundle(cache_root: Path) -> Path:
    """Return the bench bundle folder, building it under ``cache_root`` when its recipe changed."""
    recipe = json.dumps(_recipe(), ensure_ascii=False, sort_keys=True)
    key = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    bundle = cache_root / f"docgen-bench-{key}" / "华安置业-开发贷资料"
    if (bundle.parent / "done").exists():
        return bundle
    shutil.rmtree(bundle.parent, ignore_errors=True)
    started = time.perf_counter()
    for seed, (rel, pages, style) in enumerate(PDFS):
        _write_pdf(bundle / rel, pages, style, seed)
    import docx

    for rel in OTHER:
        target = bundle / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".docx"):
            d = docx.Document()
            d.add_heading(Path(rel).stem, 1)
            for line in LINES:
                d.add_paragraph(line)
            d.save(target)
        else:
            target.write_bytes(_scan_jpeg(len(rel)))
    example_yaml = ROOT / "examples" / "bundle" / "bundle.yaml"
    if example_yaml.exists():
        shutil.copyfile(example_yaml, bundle / "bundle.yaml")
    else:
        (bundle / "bundle.yaml").write_text("checklist: dev-loan\n", encoding="utf-8")
    (bundle.parent / "done").write_text(recipe, encoding="utf-8")
    print(f"built bench bundle in {time.perf_counter() - started:.1f} s: {bundle}", file=sys.stderr)
    return bundle


def make_zip(bundle: Path) -> Path:
    """Return a zip of ``bundle`` with GBK names and no UTF-8 flag (as Chinese Windows makes it)."""
    import zipfile

    class GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # type: ignore[no-untyped-def]  # zipfile's private hook
            return self.filename.encode("gbk"), self.flag_bits

    target = bundle.parent / "bundle-gbk.zip"
    if target.exists():
        return target
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(bundle.rglob("*")):
            if p.is_file():
                info = GbkInfo(str(p.relative_to(bundle)), date_time=(2026, 11, 20, 9, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, p.read_bytes())
    tmp.replace(target)
    return target


def _cpu() -> float:
    """CPU seconds of this process plus its finished children (and theirs, once waited for)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def best_of(runs: int, fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Return (best wall seconds, best CPU seconds) of ``runs`` calls of ``fn``.

    CPU time is printed beside wall time because a shared machine's load inflates wall time.
    """
    walls, cpus = [], []
    for _ in range(runs):
        c, t = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    return min(walls), min(cpus)


# The floor: one process that does only what any check must -- start Python, import pypdf,
# read and hash every file, open every PDF and read its declared page count (/Count of the
# page tree's root; no walk at all, so below what a check that verifies pages can reach).
FLOOR_SCRIPT = r"""
import hashlib, io, sys
from pathlib import Path
import pypdf
pages = 0
for path in sorted(p for p in Path(sys.argv[1]).rglob("*") if p.is_file()):
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    if path.suffix == ".pdf":
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        pages += int(reader.trailer["/Root"]["/Pages"]["/Count"])
print(pages)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (best is kept)")
    parser.add_argument("--zip", action="store_true", help="also time the bundle as a GBK-named .zip")
    parser.add_argument("--cache", default=tempfile.gettempdir(), help="where the built bundle is cached")
    args = parser.parse_args()

    bundle = build_bundle(Path(args.cache))
    files = sorted(p for p in bundle.rglob("*") if p.is_file())
    pdfs = [p for p in files if p.suffix == ".pdf"]

    import pypdf

    def baseline() -> int:
        total = 0
        for p in pdfs:
            total += len(pypdf.PdfReader(p).pages)
        return total

    pages = baseline()
    print(f"bundle: {bundle}")
    print(f"files: {len(files)}  pdfs: {len(pdfs)}  pdf pages: {pages}  "
          f"size: {sum(p.stat().st_size for p in files) / 1e6:.1f} MB  cpus: {os.cpu_count()}")

    docgen = Path(sys.executable).with_name("docgen")
    have_check = subprocess.run([str(docgen), "check", "--help"], capture_output=True).returncode == 0

    base, base_cpu = best_of(args.runs, baseline)
    print(f"baseline: sequential pypdf open + page count, in-process: "
          f"{base * 1000:7.1f} ms wall {base_cpu * 1000:7.1f} ms cpu")

    from docgen.check.bundle import open_bundle
    from docgen.check.inspection import inspect_bundle

    def in_process() -> None:
        os.environ["DOCGEN_NO_CACHE"] = "1"  # every file inspected (the cache is timed below)
        try:
            with open_bundle(bundle) as b:
                infos = inspect_bundle(b)
        finally:
            del os.environ["DOCGEN_NO_CACHE"]
        assert sum(i.pages or 0 for i in infos if i.kind == "pdf") == pages

    lib, lib_cpu = best_of(args.runs, in_process)
    print(f"inspect_bundle (SHA-256, all checks; bounded workers for what needs a parser), in-process: "
          f"{lib * 1000:7.1f} ms wall {lib_cpu * 1000:7.1f} ms cpu  ratio {lib / base:.2f}x baseline (lower is faster)")

    # Whole processes run as an installed docgen runs: with its bytecode cached (an environment
    # that forbids writing .pyc files would time compiling docgen's sources on every run).
    process_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def floor() -> None:
        r = subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, str(bundle)], capture_output=True, text=True,
                           env=process_env)
        assert int(r.stdout) == pages, r.stderr[-2000:]

    floor()
    targets = [("folder", bundle)]
    if args.zip:
        targets.append(("zip", make_zip(bundle)))
    met = True
    for label, target in targets:
        if not have_check:
            print("NOTE: `docgen check` is not available yet; timing `docgen inspect` per file instead")
            per_file = [[str(docgen), "inspect", str(p), "--format", "json"] for p in files]
            t, _ = best_of(1, lambda: [subprocess.run(c, capture_output=True) for c in per_file])
            print(f"docgen inspect x {len(files)} files (subprocess each): {t * 1000:7.1f} ms  "
                  f"ratio {t / base:.2f}x baseline")
            met = False
            continue
        cmd = [str(docgen), "check", str(target), "--format", "json"]
        cache_root = Path(tempfile.mkdtemp(prefix="docgen-bench-cache-"))
        cold = {"n": 0}

        def run(cmd: list[str] = cmd, warm: bool = True) -> None:
            # Cold: a cache folder never used before (every file inspected, bundle.yaml validated;
            # the shipped checklist's compiled form and python-stdnum's parsed place table are kept
            # beside the package, as bytecode is);
            # warm: the same folder each time (the usual loop of checking again after adding
            # files: everything seen before is cached).
            if not warm:
                cold["n"] += 1
            folder = cache_root / ("warm" if warm else f"cold-{cold['n']}")
            env = {**process_env, "DOCGEN_CACHE_DIR": str(folder)}
            env.pop("DOCGEN_NO_CACHE", None)
            r = subprocess.run(cmd, capture_output=True, env=env)
            if r.returncode not in (0, 1):
                raise SystemExit(f"docgen check failed ({r.returncode}): {r.stderr.decode()[-2000:]}")
            report = json.loads(r.stdout)
            assert len(report["files"]) == len(files), (len(report["files"]), len(files))

        run()  # warm the page cache and the .pyc files (and fill the warm cache)
        # Interleaved: floor, cold, warm in turn, so a change in the machine's load falls on all
        # three; each docgen run is compared with the floor run just before it.
        timings: dict[str, list[tuple[float, float]]] = {"floor": [], "cold": [], "warm": []}
        for _ in range(args.runs):
            for name, fn in (("floor", floor), ("cold", lambda: run(warm=False)), ("warm", run)):
                timings[name].append(best_of(1, fn))
        shutil.rmtree(cache_root, ignore_errors=True)

        def median(values: list[float]) -> float:
            ordered = sorted(values)
            mid = len(ordered) // 2
            return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2

        low = [t for t, _ in timings["floor"]]
        low_cpu = [c for _, c in timings["floor"]]
        print(f"floor: one process that imports pypdf, reads and hashes every file, reads each /Count: "
              f"median {median(low) * 1000:7.1f} ms wall {median(low_cpu) * 1000:7.1f} ms cpu "
              f"(best {min(low) * 1000:.1f} / {min(low_cpu) * 1000:.1f})")
        for state in ("cold", "warm"):
            walls = [t for t, _ in timings[state]]
            cpus = [c for _, c in timings[state]]
            wall_ratio = median([t / f for t, f in zip(walls, low)])
            cpu_ratio = median([c / f for c, f in zip(cpus, low_cpu)])
            print(f"docgen check {label} --format json, {state} cache, end to end (subprocess): "
                  f"median {median(walls) * 1000:7.1f} ms wall {median(cpus) * 1000:7.1f} ms cpu "
                  f"(best {min(walls) * 1000:.1f} / {min(cpus) * 1000:.1f})  "
                  f"ratio to the floor, median of {args.runs} pairs: {wall_ratio:.2f}x wall {cpu_ratio:.2f}x cpu  "
                  f"target <{TARGET_S:.0f} s: {'MET' if median(walls) < TARGET_S else 'MISSED'}")
            met &= median(walls) < TARGET_S
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
