"""The dashboard's words in Chinese (default) and English."""

from __future__ import annotations

LANGS = ("zh", "en")

WORDS: dict[str, dict[str, str]] = {
    "title": {"zh": "巡防指挥中心", "en": "Patrol command centre"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出", "en": "Log out"},
    "user": {"zh": "用户名", "en": "User name"},
    "password": {"zh": "密码", "en": "Password"},
    "slot": {"zh": "时段", "en": "Slot"},
    "alerts": {"zh": "告警", "en": "Alerts"},
    "incident": {"zh": "警情", "en": "Incident"},
    "sheet": {"zh": "勤务表", "en": "Duty sheet"},
    "roster": {"zh": "排班", "en": "Roster"},
    "kpis": {"zh": "指标", "en": "KPIs"},
    "units": {"zh": "警力", "en": "Units"},
    "report": {"zh": "上报并推荐警力", "en": "Report and suggest units"},
    "category": {"zh": "类别", "en": "Category"},
    "priority": {"zh": "等级", "en": "Priority"},
    "click_map": {"zh": "在地图上点击选择位置", "en": "Click the map to place it"},
    "read_only": {"zh": "只读账号：不能修改", "en": "Read-only account: no changes allowed"},
    "rings_now": {"zh": "当前处置圈覆盖", "en": "Rings now"},
    "lang_other": {"zh": "English", "en": "中文"},
    "plan": {"zh": "方案", "en": "Plan"},
    "import": {"zh": "导入历史警情", "en": "Import incidents"},
    "columns": {"zh": "列对应", "en": "Columns"},
    "crs": {"zh": "x/y 坐标系", "en": "x/y CRS"},
    "coords": {"zh": "经纬度来源", "en": "lon/lat datum"},
    "coords_wgs84": {"zh": "WGS 84（GPS、天地图）", "en": "WGS 84 (GPS, Tianditu)"},
    "coords_gcj02": {"zh": "GCJ-02（高德、腾讯）", "en": "GCJ-02 (Amap, Tencent)"},
    "coords_bd09": {"zh": "BD-09（百度）", "en": "BD-09 (Baidu)"},
    "skip_stored": {"zh": "跳过已入库的相同编号（内容相同）",
                    "en": "skip ids already stored (same content)"},
}


def words(lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in WORDS.items()}
