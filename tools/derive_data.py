"""Derive the small data files the project ships from the shared reference data.

Run from the repo root with the shared folder beside it:
    python tools/derive_data.py ../shared/data
It rewrites fengqiao/org/data/*, fengqiao/cases/data/* and fengqiao/triage/data/*.gz. The project itself never
reads ../shared at run time; these derived files are what it loads.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRICTS = {"440311": ("光明区", "GM"), "440303": ("罗湖区", "LH")}
SEVEN = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]

# Longgang labels whose Guangming counterpart is already named on an official page.
SAME_AS_NAMED = {"光明公安分局", "光明区发展改革局", "光明区政务服务数据管理局"}

KIND_BY_TYPE = {
    "district_dept": "department",
    "district_agency": "department",
    "city_dispatched": "department",
    "central_dispatched": "department",
    "district_soe": "department",
    "utility": "utility",
    "mass_org": "mass_organisation",
    "social_org": "mass_organisation",
    "party_dept": "party_organ",
    "street_office": "street_office",
}


def unit_kind(name: str, unit_type: str) -> str:
    if "公安" in name or "交警" in name:
        return "police"
    if name.endswith("法院"):
        return "court"
    if name.endswith("检察院"):
        return "procuratorate"
    if name.endswith("司法局"):
        return "justice"
    if name.endswith("信访局"):
        return "petition_office"
    return KIND_BY_TYPE.get(unit_type, "department")


def regions(shared: Path) -> None:
    out = ROOT / "fengqiao/org/data/regions.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "level", "name", "parent_code", "case_prefix"])
        w.writerow(["440300", "city", "深圳市", "", ""])
        for code, (name, prefix) in DISTRICTS.items():
            w.writerow([code, "district", name, "440300", prefix])
        for r in csv.DictReader((shared / "geo/streets.csv").open()):
            if r["district_code"] in DISTRICTS and r["is_street"] == "1":
                w.writerow([r["street_code"], "street", r["street"], r["district_code"], ""])
        for r in csv.DictReader((shared / "geo/communities.csv").open()):
            if r["district_code"] in DISTRICTS:
                w.writerow([r["community_code"], "community", r["community"], r["street_code"], ""])
    for slug in ("guangming", "luohu"):
        shutil.copy(shared / f"geo/{slug}_district_wgs84.geojson", ROOT / f"fengqiao/org/data/{slug}_district_wgs84.geojson")


def departments(shared: Path) -> None:
    """Real unit names: those named on Guangming/Luohu pages, plus Longgang's real dispatch
    labels renamed for Guangming (龙岗→光明, the naming convention the geo README describes)."""
    rows = list(csv.DictReader((shared / "geo/departments.csv").open()))
    out = ROOT / "fengqiao/org/data/departments.csv"
    seen: set[tuple[str, str]] = set()
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["district_code", "name", "kind", "domain_hint", "evidence"])
        for r in rows:
            if r["district_code"] in DISTRICTS and r["unit_type"] != "street_office":
                name = r["name"]
                if name.startswith("区"):
                    name = DISTRICTS[r["district_code"]][0] + name[1:]
                key = (r["district_code"], name)
                seen.add(key)
                w.writerow([r["district_code"], name, unit_kind(name, r["unit_type"]), r["domain_hint"], r["evidence"]])
        for r in rows:
            if r["district_code"] != "440307" or "智慧城区运行中心" in r["name"]:
                continue
            name = r["name"].replace("龙岗", "光明")
            if not name.startswith(("光明", "市", "区", "团区委", "电信")):
                continue
            if name.startswith("区"):
                name = "光明" + name
            if name == "团区委":
                name = "共青团光明区委"
            key = ("440311", name)
            if name in SAME_AS_NAMED:
                continue
            if key in seen or any(name.endswith(n[1].replace("光明区", "")) and n[0] == "440311" for n in seen if len(n[1]) > 4):
                continue
            seen.add(key)
            w.writerow(["440311", name, unit_kind(name, r["unit_type"]), r["domain_hint"], "longgang_label_renamed"])


def categories(shared: Path) -> None:
    rows = list(csv.DictReader((shared / "messages/taxonomy.csv").open()))
    out = ROOT / "fengqiao/cases/data/categories.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["level1", "level2", "service_type"])
        done: set[tuple[str, str]] = set()
        for r in rows:
            if r["level1"] in SEVEN and (r["level1"], r["level2"]) not in done:
                done.add((r["level1"], r["level2"]))
                w.writerow([r["level1"], r["level2"], "complaint"])
        extra = {
            ("矛盾纠纷", "mediation"): ["婚姻家庭纠纷", "邻里纠纷", "物业纠纷", "劳资纠纷", "消费纠纷", "医疗纠纷", "交通事故纠纷", "房屋土地纠纷", "其他纠纷"],
            ("法律服务", "legal"): ["法律咨询", "法律援助", "公证与司法鉴定"],
            ("心理服务", "psychological"): ["心理疏导", "危机干预"],
            ("帮扶救助", "assistance"): ["困难救助", "残疾人帮扶", "老年人关爱", "未成年人保护"],
        }
        for (level1, service), level2s in extra.items():
            for level2 in level2s:
                w.writerow([level1, level2, service])


def message_sample(shared: Path, per_label: int = 60) -> None:
    """A small, deterministic sample of real citizen messages for the demo history."""
    rows = list(csv.DictReader((shared / "messages/train.csv").open()))
    rows.sort(key=lambda r: hashlib.sha1((r["title"] + r["body"]).encode(), usedforsecurity=False).hexdigest())
    picked: dict[str, list[dict]] = {}
    for r in rows:
        body = r["body"].strip()
        if 40 <= len(body) <= 400 and len(picked.setdefault(r["label"], [])) < per_label:
            picked[r["label"]].append(r)
    out = ROOT / "fengqiao/cases/data/messages_sample.csv"
    with out.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "body", "label"])
        for label in SEVEN:
            for r in picked.get(label, []):
                w.writerow([r["title"].strip(), r["body"].strip(), label])


def unseen_sample(shared: Path, count: int = 60) -> None:
    """Messages of the same board that no model trains on (message-votes, without the texts of the labelled set):
    the demo's new cases, so the triage panel shows the confidence the classifier really has on unseen text."""
    labelled = {"".join(r["body"].split())[:60] for r in csv.DictReader((shared / "messages/train.csv").open())}
    rows = list(csv.DictReader((shared / "message-votes/messages_with_votes.csv").open()))
    rows.sort(key=lambda r: hashlib.sha1((r["title"] + r["body"]).encode(), usedforsecurity=False).hexdigest())
    picked = [r for r in rows if 40 <= len(r["body"].strip()) <= 400 and "".join(r["body"].split())[:60] not in labelled]
    with (ROOT / "fengqiao/cases/data/messages_unseen.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "body"])
        for r in picked[:count]:
            w.writerow([r["title"].strip(), r["body"].strip()])


def _write_csv_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """A gzip'd CSV that is byte-identical for identical rows (no timestamp in the gzip header)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def triage_training(shared: Path) -> None:
    """The training data of the triage models (fengqiao/triage/data, provenance in SOURCES.md): every row
    of messages/train.csv (id,title,body,label) and dispatch/train.csv (id,location,statement,label),
    as they are. The held-out parts were never in shared/ and are not here either."""
    out = ROOT / "fengqiao/triage/data"
    out.mkdir(parents=True, exist_ok=True)
    with (shared / "messages/train.csv").open(encoding="utf-8", newline="") as fh:
        rows = [[r["id"], r["title"], r["body"], r["label"]] for r in csv.DictReader(fh)]
    _write_csv_gz(out / "messages_train.csv.gz", ["id", "title", "body", "label"], rows)
    with (shared / "dispatch/train.csv").open(encoding="utf-8", newline="") as fh:
        rows = [[r["id"], r["location"], r["statement"], r["label"]] for r in csv.DictReader(fh)]
    _write_csv_gz(out / "dispatch_train.csv.gz", ["id", "location", "statement", "label"], rows)


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data")
    regions(shared)
    departments(shared)
    categories(shared)
    message_sample(shared)
    unseen_sample(shared)
    triage_training(shared)
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
