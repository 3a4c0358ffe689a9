"""Target lists as spreadsheets (investment bureaus work in Excel): rows, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

STATUS_ZH = {"missing": "缺链", "broken": "断链", "weak": "弱链", "strong": "强链"}
TARGET_COLUMNS = [
    "排名 rank",
    "缺口产品 product",
    "产品ID product id",
    "环节 stage",
    "状态 status",
    "候选企业 enterprise",
    "企业ID enterprise id",
    "得分 score",
    "本地供需关系 local supply links",
    "可补其他缺口 other gaps closed",
    "置信度 confidence",
    "理由 reason",
]


def target_rows(report: dict[str, Any]) -> list[list[Any]]:
    """One row per candidate of an ``investment_targets`` report, best first."""
    rows = []
    for rank, c in enumerate(report["candidates"], start=1):
        comp = c["components"]
        rows.append(
            [
                rank,
                c["product"]["name"],
                c["product"]["id"],
                c["product"]["stage"],
                STATUS_ZH.get(c["product"]["status"], c["product"]["status"]),
                c["enterprise"]["name"],
                c["enterprise"]["id"],
                c["score"],
                comp["supply_links"]["value"],
                comp["other_gaps"]["value"],
                comp["confidence"]["value"],
                c["reason_zh"],
            ]
        )
    return rows


def to_csv(columns: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8 Chinese correctly


def to_xlsx(title: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]  # Excel's limit on sheet names
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKL", (6, 18, 18, 8, 8, 28, 20, 8, 10, 10, 10, 60), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
