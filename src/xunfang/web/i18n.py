"""The dashboard's words in Chinese (default) and English."""

from __future__ import annotations

from xunfang.report.i18n import TEXT as REPORT_WORDS
from xunfang.report.i18n import VALUES as REPORT_VALUES

LANGS = ("zh", "en")
#: the largest upload, in MB: web/app.py's MAX_BODY in bytes, said on the import form
MAX_UPLOAD_MB = 16

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
    # the viewed plan's printable report (GET /api/plans/{id}/report), in a new tab
    "print_report": {"zh": "打印报告", "en": "Print report"},
    "print_report_hint": {"zh": "在新标签页打开本方案的报告（report.html），可打印或保存",
                          "en": "Open this plan's report (report.html) in a new tab, to print "
                                "or save"},
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
    # the import's refusal head and rows, filled in by app.js ({file}, {n}); a review: in the
    # zh dashboard only "第N行" was Chinese
    "imp_refused": {"zh": "{file}：{n} 处错误，未入库任何警情",
                    "en": "{file}: {n} error(s), nothing stored"},
    "imp_skip_hint": {"zh": "若是与已入库文件重叠的导出，勾选“跳过已入库的相同编号（内容相同）”"
                            "可导入其余各行",
                      "en": "to import the rest of an export that overlaps one stored, tick "
                            "'skip ids already stored'"},
    "imp_aside": {"zh": "检查另剔除 {n} 行，一并列出",
                  "en": "the checks also set aside {n} row(s), listed with them"},
    "imp_rows": {"zh": "行号为数据行：不计表头（.xlsx 工作表中的行号再加 1）",
                 "en": "rows are data rows: the header not counted (in .xlsx the sheet's row "
                       "is one more)"},
    "imp_kept_rows": {"zh": "行号按检查保留的行计", "en": "rows counted among the rows the "
                                                      "checks kept"},
    "imp_duplicates": {"zh": "完全重复（拒收）", "en": "exact duplicates (rejected)"},
    "imp_same_as": {"zh": "同第{n}行", "en": "same as row {n}"},
    # the import's own notes (the English is the answer's "notes"; a review: the zh page
    # showed them in English)
    # a body over the upload limit (web/app.py: too_large_message; {mb}: the limit in MB)
    "too_large": {
        "zh": "文件超过上传上限 {mb} MB，未入库任何警情：可压缩为 .zip 后上传（导入接受 .zip）"
              "或分成几个文件；在服务器上 `xunfang intel ingest 文件 --scenario 场景 --out 目录` "
              "可检查任意大小的文件",
        "en": "larger than the {mb} MB an upload may be, nothing stored: zip it (the import "
              "takes a .zip of the file) or split it; on the server `xunfang intel ingest "
              "FILE --scenario SCENARIO --out DIR` checks a file of any size"},
    "imp_limit": {"zh": f"文件不超过 {MAX_UPLOAD_MB} MB（更大的文件可压缩为 .zip 上传）",
                  "en": f"files up to {MAX_UPLOAD_MB} MB (zip a larger one: .zip is taken)"},
    "imp_recategorised": {
        "zh": "{n} 行无编号的记录与已入库警情的时间、地点（{m} 米以内）相同，但类别或等级"
              "不同：已作为其他警情入库（若是同一警情改了类别，现已重复入库）：{list_zh}",
        "en": ""},
    "imp_content_ids": {
        "zh": "文件没有编号列：每行的编号由其时间、地点（精确到毫米）、类别和等级生成（c 加 12 位"
              "十六进制数），其他文件的警情不会与之冲突，同一警情再次导出编号相同（勾选“跳过已入库"
              "的相同编号”可略去重叠部分）",
        "en": ""},
    "imp_matched": {
        "zh": "{n} 行无编号的记录与已入库警情的时间、类别、等级相同且相距 {m} 米以内（同一警情以"
              "其他精度写出）：视为该警情",
        "en": ""},
    # the dashboard keeping up (app.js fills {id}, {time}, {who}, {when}): a review found the
    # page stayed on the plan and slot it loaded with, and nothing said the current plan did
    # not cover the day
    "dash_not_now": {
        "zh": "当前方案 #{id} 不含此刻（{time}）：正按其第一天的时段安排执行；请制定今天的方案",
        "en": "The current plan #{id} does not cover now ({time}): its first day's pattern is "
              "applied; make today's plan"},
    "dash_make_plan": {"zh": "制定方案", "en": "Make a plan"},
    "dash_start": {"zh": "起始日期", "en": "Start"},
    "dash_days": {"zh": "天数", "en": "Days"},
    "dash_seed": {"zh": "随机种子", "en": "Seed"},
    "dash_make_current": {"zh": "设为当前方案", "en": "make it the current plan"},
    "dash_set_current": {"zh": "将所看方案设为当前方案", "en": "Make the plan shown current"},
    "dash_planning": {"zh": "正在制定方案……", "en": "planning…"},
    "dash_planned": {"zh": "已制定方案 #{id}", "en": "plan #{id} made"},
    # the re-plan tab (动态调整: POST /api/plans/{id}/replan; the CLI's xunfang replan)
    "dash_replan": {"zh": "动态调整", "en": "Re-plan"},
    "dash_replan_name": {"zh": "方案 #{id} 自 {at} 起的调整", "en": "re-plan of #{id} from {at}"},
    # a re-plan no planner has made current: it does not take over by itself
    "dash_what_if": {"zh": "（推演）", "en": " (what-if)"},
    "dash_replan_hint": {"zh": "从所填时刻所在时段的开始起，重新部署所看方案的余下时段，"
                               "尽量少改动；之前的时段不变",
                         "en": "Plan the rest of the plan shown again from the start of the "
                               "slot holding the moment given, changing as little as needed; "
                               "earlier slots stay as they are"},
    "dash_replan_back": {"zh": "恢复执勤的警力（此前调整中停勤或处警）",
                         "en": "Units back in service (out of service or busy in the plan)"},
    "dash_replan_left_drone": {"zh": "{unit}：无人机按架次飞行，不留守处警网格",
                               "en": "{unit}: a drone flies sorties, it is not held at an "
                                     "incident"},
    "dash_replan_left_no_grid": {"zh": "{unit}：无最新位置，方案也未安排网格，无法确定处警网格",
                                 "en": "{unit}: no grid known (no fresh position in a grid, "
                                       "none planned)"},
    "dash_replan_left_off_duty": {"zh": "{unit}：方案中此时不在岗",
                                  "en": "{unit}: off duty in the plan now"},
    "dash_replan_at": {"zh": "调整起始时刻", "en": "From"},
    "dash_replan_draft": {"zh": "按警力实时状态填写", "en": "Fill in from the units' status"},
    "dash_replan_oos": {"zh": "停止执勤的警力", "en": "Units out of service"},
    "dash_replan_busy": {"zh": "处警中的警力（留在网格内至结束时刻）",
                         "en": "Units busy at incidents (held in the grid until)"},
    "dash_replan_hot": {"zh": "新热点（增加风险并多派一组警力）",
                        "en": "New hot places (more risk and one unit more)"},
    "dash_replan_add": {"zh": "添加", "en": "Add"},
    "dash_replan_remove": {"zh": "删除", "en": "Remove"},
    "dash_replan_unit": {"zh": "警力", "en": "unit"},
    "dash_replan_grid": {"zh": "网格", "en": "grid"},
    "dash_replan_until": {"zh": "至", "en": "until"},
    "dash_replan_from": {"zh": "自", "en": "from"},
    "dash_replan_to": {"zh": "至", "en": "to"},
    "dash_replan_share": {"zh": "增加风险份额", "en": "risk share added"},
    "dash_replan_submit": {"zh": "重新部署", "en": "Re-plan"},
    "dash_replan_running": {"zh": "正在调整……", "en": "re-planning…"},
    "dash_replan_done": {"zh": "已生成调整方案 #{id}（自 {at}）：变动 {n} 处，新增缺口 {added} 处，"
                                 "消除缺口 {resolved} 处",
                         "en": "re-plan #{id} made (from {at}): {n} change(s), {added} new "
                               "shortfall(s), {resolved} resolved"},
    "dash_replan_none": {"zh": "无变动", "en": "no changes"},
    "dash_replan_left": {"zh": "未能按实时状态带入：{list}", "en": "not filled in: {list}"},
    "dash_replan_show": {"zh": "查看调整后的方案", "en": "Show the re-planned plan"},
    "dash_replan_new_short": {"zh": "新增缺口", "en": "New shortfalls"},
    "dash_col_slot": {"zh": "时段", "en": "slot"},
    "dash_col_old": {"zh": "原部署", "en": "was"},
    "dash_col_new": {"zh": "新部署", "en": "now"},
    "dash_col_duty": {"zh": "任务", "en": "duty"},
    "dash_ack": {"zh": "确认", "en": "Acknowledge"},
    "dash_acked": {"zh": "{who} 已于 {when} 确认", "en": "acknowledged by {who} at {when}"},
    # the interface's words app.js and the template showed in English on the zh page (review
    # AO #4): the incident form's coordinates, the roster's heads, the plans' names
    "lon": {"zh": "经度", "en": "lon"},
    "lat": {"zh": "纬度", "en": "lat"},
    "dash_col_date": {"zh": "日期", "en": "date"},
    "dash_col_person": {"zh": "人员", "en": "person"},
    "dash_col_team": {"zh": "班组", "en": "team"},
    "dash_col_shift": {"zh": "班次", "en": "shift"},
    "dash_col_start": {"zh": "开始", "en": "start"},
    "dash_col_end": {"zh": "结束", "en": "end"},
    "dash_col_role": {"zh": "身份", "en": "role"},
    "dash_col_kind": {"zh": "勤务类型", "en": "kind"},
    # a plan's name as the centre makes it (web/centre.py: "{start} seed {seed}")
    "dash_plan_name": {"zh": "{date} 随机种子 {seed}", "en": "{date} seed {seed}"},
    # the import's note where x/y were read in the scenario's crs (intel/ingest.py's fixed
    # words, the CLI's --crs named as the form's field): app.js matches it and fills {crs}
    "imp_scenario_crs": {"zh": "x/y 按场景的坐标系 {crs} 读入：x/y 坐标系未填写，"
                               "文件也未声明坐标系", "en": ""},
    # the roster's night shift of the day before, running into the plan's day (review H4 #1)
    "dash_lead_in": {"zh": "前一日夜班，延续至本日", "en": "from the day before"},
    "dash_lead_in_unknown": {"zh": "此方案保存时未记录前一日延续至本日的夜班人员",
                             "en": "the night shift of the day before was not stored with "
                                   "this plan's roster"},
    # the own duty lists' rotas under the roster (routers/roster.py own_rotas): who of each
    # station's people works which shift on each of the plan's days; the sworn officers
    # marked, the hours a week, and the hours the rota leaves short (the report's #own-rota)
    "dash_own_rota": {"zh": "本单位值班表", "en": "Own duty lists' rotas"},
    "dash_own_person": {"zh": REPORT_WORDS["own_rota_person"]["zh"], "en": "person"},
    "dash_own_week": {"zh": REPORT_WORDS["own_rota_week"]["zh"], "en": "hours a week"},
    "dash_own_list": {"zh": "{units}（{n} 人）", "en": "{units} ({n} people)"},
    "dash_own_sworn": {"zh": REPORT_WORDS["own_rota_sworn"]["zh"],
                       "en": REPORT_WORDS["own_rota_sworn"]["en"]},
    "dash_own_sworn_hint": {"zh": "民警：带班（辅警不得单独执法）",
                            "en": "a sworn officer: leads the duty group (auxiliary officers "
                                  "may not enforce the law alone)"},
    "dash_own_off": {"zh": REPORT_WORDS["shift_off"]["zh"], "en": "off"},
    "dash_own_short": {"zh": "每周 {h} 人·时缺口", "en": "{h} person-hours a week short of "
                                                       "people"},
    "dash_own_short_here": {"zh": "本方案期内 {h} 人·时缺口",
                            "en": "{h} person-hours short in this plan's days"},
    "dash_own_lead_short": {"zh": "无民警带班每周 {h} 小时",
                            "en": "{h} hours a week with no sworn officer to lead"},
    "dash_own_lead_short_here": {"zh": "本方案期内无民警带班 {h} 小时",
                                 "en": "{h} hours in this plan's days with no sworn officer "
                                       "to lead"},
    "dash_own_short_day": {"zh": "当日有时段人手不足或无民警带班",
                           "en": "a slot of this day is short of people or of a sworn lead"},
    "dash_own_repeating": {"zh": "方案不足一周，按逐周重复的一周排班：周工时、每周缺口按此计",
                           "en": "a plan shorter than a week is rota'd as a week that repeats: "
                                 "the hours a week and the shortfalls a week are that week's"},
    "dash_own_why_no_stages": {"zh": "此方案保存时未记录其各阶段：本单位值班表不详",
                               "en": "this plan was stored without its stages: its own duty "
                                     "lists' rotas are not known"},
    "dash_own_why_no_lists": {"zh": "此方案无本单位值班表（没有由本单位人员值守的警力单元，"
                                    "或方案保存时尚未计入）",
                              "en": "this plan has no own duty lists (no units crewed by "
                                    "their own station's people, or stored before the plan "
                                    "counted them)"},
    "dash_own_why_no_rota": {"zh": "此方案保存时尚未为本单位值班表排班：谁上哪个班次不详",
                             "en": "this plan's own duty lists were stored before the plan "
                                   "rota'd them: who works which shift is not known"},
    # the days' heads of the own rotas (Monday 0, as Python's weekday()): the report's words
    **{f"dash_{k}": {"zh": v["zh"], "en": v["en"]} for k, v in REPORT_WORDS.items()
       if k.startswith("weekday_")},
    # the plan's shortfalls, the video desk's tours and the planned places' legend (review
    # H4 #2, #3)
    "dash_shortfalls": {"zh": "警力缺口", "en": "Shortfalls"},
    "dash_short_none": {"zh": "本方案无缺口", "en": "no shortfall in this plan"},
    "dash_short_day": {"zh": "全天（{stage}）", "en": "all day ({stage})"},
    "dash_short_slot": {"zh": "本时段缺口 {n} 处", "en": "{n} shortfall(s) in this slot"},
    "dash_video": {"zh": "视频巡查（视频岗轮巡）", "en": "Video desk's camera tours"},
    "dash_video_desk": {"zh": "视频岗 {n}", "en": "video desk {n}"},
    "dash_video_none": {"zh": "本方案无视频巡查", "en": "no camera tour in this plan"},
    "dash_places": {"zh": "计划岗位（所选时段）", "en": "Planned places (chosen slot)"},
    "dash_leg_post": {"zh": "定点备勤", "en": "post"},
    "dash_leg_checkpoint": {"zh": "设卡盘查", "en": "checkpoint"},
    "dash_leg_route": {"zh": "路线巡逻（颜色：装备）", "en": "route patrol (colour: mode)"},
    "dash_leg_staging": {"zh": "驻守点（实心圆，颜色同装备）",
                         "en": "staging point (filled, colour: mode)"},
    "dash_leg_grid": {"zh": "网格巡逻", "en": "grid patrol"},
    "dash_leg_units": {"zh": "{n} 个单元在岗", "en": "{n} units on duty"},
    # the user's role in the header (store's roles)
    "role_commander": {"zh": "指挥长", "en": "commander"},
    "role_planner": {"zh": "勤务策划", "en": "planner"},
    "role_operator": {"zh": "值班员", "en": "operator"},
    "role_viewer": {"zh": "只读", "en": "viewer"},
}

#: the data values the core defines, by "kind:value", as the dashboard shows them (app.js's
#: V(kind, value)); a value not here (a scenario's own: team names, ids) is shown as written.
#: The modes and people's roles are the printed report's words (report/i18n.py VALUES).
VALUES: dict[str, dict[str, str]] = {
    **{k: {"zh": v["zh"], "en": k.split(":", 1)[1]} for k, v in REPORT_VALUES.items()
       if k.startswith(("mode:", "role:"))},
    # the roster's shifts (planning/roster: early, middle, night, day, office 常白班, special)
    # and its duty kinds (roster.check.DutyKind)
    "shift:early": {"zh": "早班", "en": "early"},
    "shift:middle": {"zh": "中班", "en": "middle"},
    "shift:night": {"zh": "夜班", "en": "night"},
    "shift:day": {"zh": "白班", "en": "day"},
    "shift:office": {"zh": "常白班", "en": "office"},
    "shift:special": {"zh": "加班", "en": "special"},
    "kind:regular": {"zh": "正常", "en": "regular"},
    "kind:special": {"zh": "加班", "en": "special"},
    # a plan's duties (plan.Duty) and a unit's live statuses (web/live.py STATUSES)
    "duty:post": {"zh": "定点备勤", "en": "post"},
    "duty:grid": {"zh": "网格巡逻", "en": "grid"},
    "duty:route": {"zh": "路线巡逻", "en": "route"},
    # an auxiliary force holding one key site in its hours (a "route" of one node): the
    # printed report's words (report/i18n.py duty_point), not route patrol
    "duty:point": {"zh": REPORT_WORDS["duty_point"]["zh"], "en": REPORT_WORDS["duty_point"]["en"]},
    "duty:checkpoint": {"zh": "设卡盘查", "en": "checkpoint"},
    "duty:drone": {"zh": "无人机巡飞", "en": "drone"},
    "duty:video": {"zh": "视频巡查", "en": "video"},
    "duty:off": {"zh": "休息", "en": "off"},
    "status:available": {"zh": "可调派", "en": "available"},
    "status:patrolling": {"zh": "巡逻中", "en": "patrolling"},
    "status:responding": {"zh": "处警中", "en": "responding"},
    "status:busy": {"zh": "忙碌", "en": "busy"},
    "status:off": {"zh": "下线", "en": "off"},
    # the posts' kinds (scenario.model.PostKind), as the report words them
    **{f"post:{k[5:]}": {"zh": v["zh"], "en": k[5:]} for k, v in REPORT_WORDS.items()
       if k.startswith("kind_")},
    # the KPI chart: its measures (sim's names) and series (the plan, sim.baselines.BASELINES),
    # as the report words them
    **{f"kpi:{k[4:]}": {"zh": v["zh"], "en": v["en"]} for k, v in REPORT_WORDS.items()
       if k.startswith("kpi_") and k not in ("kpi_plan", "kpi_counts")},
    "kpi:static_within_target": {"zh": "静态1-3-5分钟覆盖率", "en": "Static within the target"},
    "series:plan": {"zh": REPORT_WORDS["kpi_plan"]["zh"], "en": "plan"},
    **{f"series:{k[9:]}": {"zh": v["zh"], "en": k[9:]} for k, v in REPORT_WORDS.items()
       if k.startswith("baseline_")},
}

#: the common rules of an import's rows in Chinese, by the English rule's start (ingest's
#: rules) or the store's rule name; app.js shows the zh words with the row's value
RULES: dict[str, str] = {
    "time missing": "时间缺失",
    "time not a date-time": "时间无法识别为日期时间",
    "time not in format": "时间不符合指定格式",
    "coordinate missing or not a number": "坐标缺失或不是数字",
    "longitude must lie in [-180, 180] and latitude in [-90, 90]":
        "经度须在 [-180, 180]、纬度须在 [-90, 90] 之内",
    "coordinates (0, 0)": "坐标为 (0, 0)：缺失的位置写成了零",
    "outside the jurisdiction": "位于辖区之外",
    "exact duplicate": "完全重复",
    "priority not a whole number": "等级不是整数：该行保留，等级记为 0（无）",
    "same id, category, time and place":
        "与前面某行编号、类别、时间、地点相同：同一警情写成多行，只计一次",
    "outside China": "位于中国境外：GCJ-02/BD-09 坐标只用于中国境内",
    "unique-id": "编号重复或已入库",
    "not-future": "时间在将来",
    "datetime": "时间不是日期时间",
    "inside-jurisdiction": "位于辖区之外",
    "number": "坐标不是有限数字",
    "priority": "等级须为 0-9 的整数",
}


def words(lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in WORDS.items()}


def values(lang: str) -> dict[str, str]:
    """The data values' words in ``lang`` by "kind:value" (:data:`VALUES`)."""
    return {k: v[lang] for k, v in VALUES.items()}


def rules(lang: str) -> dict[str, str]:
    """The rules' words in ``lang`` by the English rule's start ({} in English)."""
    return dict(RULES) if lang == "zh" else {}


#: A re-plan's refusals (planning/deploy/asked.py, web/centre.py, the plans router) in
#: Chinese, fragment by fragment: the asks' labels (busy[0], at), ids and times stay as
#: written. A review (H3 #3, H6): the zh tab said every refusal in English.
REPLAN_REFUSALS: tuple[tuple[str, str], ...] = (
    (r"^the plan cannot be re-planned: ", "无法调整方案："),
    (r"((?:busy|hot|out_of_service|back_in_service)\[\d+\]): ", r"\1："),
    (r"unknown unit ('[^']*') \(not in units\.csv\)", r"未知警力 \1（units.csv 中没有）"),
    (r"unknown grid ('[^']*') \(grids: ([^)]*)\)", r"未知网格 \1（网格：\2）"),
    (r"unit ('[^']*') is given busy twice", r"警力 \1 重复填为处警中"),
    (r"unit ('[^']*') is a drone; drones fly sorties",
     r"警力 \1 是无人机：无人机按架次飞行，不留守处警"),
    (r"until \(([^)]*)\) must be after the re-plan's start \(at ([^)]*)\)",
     r"结束时刻（\1）须晚于调整起始时刻（\2）"),
    (r"unit ('[^']*') is off duty in the plan at (\S+), the slot of at \((.*)\)$",
     r"警力 \1 在方案中 \2 时段（调整起始时刻所在时段）不在岗（\3）"),
    (r"unit ('[^']*') is also given busy", r"警力 \1 同时填为处警中"),
    (r"unit ('[^']*') is also given out of service", r"警力 \1 同时填为停止执勤"),
    (r"its end \(([^)]*)\) must be after its start \(([^)]*)\)", r"结束（\1）须晚于开始（\2）"),
    (r"it ends before the re-plan starts \(([^,]*), the slot of at\)",
     r"在调整起始时段（\1）之前已结束"),
    (r"the share must be between 0 and 100 \(.*\); got (.*)$",
     r"增加的风险份额须在 0 到 100 之间；所填为 \1"),
    (r"unit ('[^']*') is neither out of service nor busy at an incident in the plan from "
     r"(\S+) on: it is in service", r"警力 \1 在方案中自 \2 起既未停止执勤也未处警：本就在岗"),
    (r" is outside the plan \(([^)]*)\)", r" 不在方案时段内（\1）"),
    (r": not a time of day HH:MM", "：不是 HH:MM 形式的时刻"),
    (r": neither a time HH:MM nor an ISO date-time \(YYYY-MM-DDTHH:MM\)",
     "：既不是 HH:MM 时刻，也不是 ISO 日期时间（YYYY-MM-DDTHH:MM）"),
    (r": give a time of day too \(YYYY-MM-DDTHH:MM\)", "：请同时填写时刻（YYYY-MM-DDTHH:MM）"),
    (r": give the local time without a UTC offset", "：请填写不带 UTC 偏移的本地时间"),
    (r": the plan covers several days; give an ISO date-time \(YYYY-MM-DDTHH:MM\)",
     "：方案跨多日，请填写 ISO 日期时间（YYYY-MM-DDTHH:MM）"),
    (r" is the end of the plan: nothing is left to re-plan", " 是方案的结束时刻：没有可调整的时段"),
    (r"its slot \(([^)]*)\) ended before now \(([^)]*)\): .*$",
     r"所在时段（\1）在此刻（\2）之前已结束：已执行的时段不再生效；请从此刻起调整，"
     r"或不设为当前方案（仅作推演）"),
    (r"^plan (\d+) is not the current plan \(plan (\d+) is\): .*$",
     r"方案 #\1 不是当前方案（当前为 #\2）：只有当前方案的调整可以生效；请调整当前方案，"
     r"或不设为当前方案（仅作推演）"),
    (r"^plan (\d+) re-plans plan (\d+), but plan (\d+) is current: .*$",
     r"方案 #\1 是方案 #\2 的调整，但当前方案为 #\3：设为当前会丢弃此后的改动；请调整当前方案，"
     r"或加 ?force=true 再次请求"),
    (r"was stored without its stages \(posture, risk, routes\): it cannot be re-planned; "
     r"make a new plan", "保存时未记录各阶段（部署、风险、巡逻路线）：无法调整；请制定新方案"),
)


def replan_refusal(message: str, lang: str) -> str:
    """A re-plan's refusal in ``lang``: English as made; Chinese by :data:`REPLAN_REFUSALS`
    (what no pattern knows stays as written)."""
    if lang != "zh":
        return message
    import re

    from xunfang.report.html import off_why_text

    # the plan's note on why a unit is off, said as the report says it (a review: the zh
    # refusal of a unit busy outside its duty hours ended in English words)
    message = re.sub(OFF_IN_PLAN, lambda m: m[1] + off_why_text(m[2], "zh") + m[3], message)
    for pattern, said in REPLAN_REFUSALS:
        message = re.sub(pattern, said, message)
    return message


#: the off note of "unit 'X' is off duty in the plan at T, the slot of at (NOTE)"
OFF_IN_PLAN = r"(is off duty in the plan at \S+, the slot of at \()(.*)(\))$"
