"""The words of plan_sheet.xlsx's duty schedule (勤务安排) and hour-by-hour (时段一览)
sheets, in Chinese and English (report.i18n holds the rest of the folder's words; the duty
kinds, tiers, squads and the per-slot sheet's words are said there)."""

from __future__ import annotations

from xunfang.report.i18n import Lang

SHEET_WORDS: dict[str, dict[Lang, str]] = {
    "schedule_title": {"zh": "勤务安排", "en": "Duty schedule"},
    "hours_title": {"zh": "时段一览", "en": "By hour"},
    "col_group": {"zh": "分组", "en": "Group"},
    "col_unit": {"zh": "单元", "en": "Unit"},
    "col_from": {"zh": "起", "en": "From"},
    "col_to": {"zh": "止", "en": "To"},
    "col_duty": {"zh": "勤务", "en": "Duty"},
    "col_place": {"zh": "地点", "en": "Place"},
    "col_crew": {"zh": "人员", "en": "Crew"},
    # the schedule's note line: what one row (a run) is
    "schedule_note": {
        "zh": "{scenario} {dates}：每行为一个单元连续在岗、勤务、地点与人员均不变的一段时间；"
              "路线巡逻不因所巡网格变化而分行，该行按先后顺序列出所巡各网格（每小时所在网格见"
              "“{hours}”工作表，具体路线见“{slots}”工作表）。未列出的时段该单元休息。",
        "en": "{scenario} {dates}: each row is one unit's unbroken time on one duty at one "
              "place with one crew; a route patrol's row lists the grids it patrols, the "
              "first patrolled first (each hour's grid is on the \"{hours}\" sheet, its "
              "streets on the \"{slots}\" sheet). A unit is off duty in the hours not "
              "listed."},
    "off_all_plan": {"zh": "全程休息", "en": "off duty throughout"},
    # the video desk's row group
    "group_video": {"zh": "视频巡查席", "en": "video desks"},
    # the hour-by-hour sheet
    "hours_note": {
        "zh": "{scenario}：单元 × 小时，格内为地点简称（点位、网格或重点部位编号，路口为其主路名，"
              "视频巡查席为所巡摄像头数；全称见“{schedule}”工作表），颜色为勤务类别；空白为休息。",
        "en": "{scenario}: units by hour, each cell the place's short label (a post's, grid's "
              "or key site's id, a crossing its main street, a video desk the number of "
              "cameras it tours; named in full on the \"{schedule}\" sheet), coloured by "
              "duty; blank: off duty."},
    "hours_day": {"zh": "{date}（{weekday}）", "en": "{date} ({weekday})"},
    "legend": {"zh": "图例", "en": "Key"},
    "cameras": {"zh": "{n}路", "en": "{n} cam"},
}


def word(key: str, lang: Lang, **kw: object) -> str:
    """The text of ``key`` in ``lang``; a missing key is a bug and raises ``KeyError``."""
    return SHEET_WORDS[key][lang].format(**kw)
