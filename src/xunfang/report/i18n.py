"""The report's words in Chinese (zh-CN, the default) and English."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

TEXT: dict[str, dict[Lang, str]] = {
    "title": {"zh": "巡防勤务方案", "en": "Patrol and prevention plan"},
    "scenario": {"zh": "辖区", "en": "Jurisdiction"},
    "period": {"zh": "方案时段", "en": "Plan period"},
    "days": {"zh": "天", "en": "day(s)"},
    "slot": {"zh": "时段长度", "en": "Slot length"},
    "minutes": {"zh": "分钟", "en": "minutes"},
    "counts": {"zh": "辖区概况", "en": "What the jurisdiction holds"},
    "nodes": {"zh": "路网节点", "en": "Road nodes"},
    "edges": {"zh": "路段", "en": "Road edges"},
    "zones": {"zh": "巡防区", "en": "Patrol zones"},
    "grids": {"zh": "防控网格", "en": "Prevention grids"},
    "rings": {"zh": "处置控制圈", "en": "Control rings"},
    "lines": {"zh": "必巡线", "en": "Mandatory patrol lines"},
    "sites": {"zh": "重点部位", "en": "Key sites"},
    "posts": {"zh": "点位", "en": "Posts"},
    "units": {"zh": "巡防力量（单元）", "en": "Units"},
    "people": {"zh": "人员", "en": "People"},
    "incidents": {"zh": "历史警情", "en": "Incidents on record"},
    "tier": {"zh": "等级", "en": "Tier"},
    "kind": {"zh": "类别", "en": "Kind"},
    "count": {"zh": "数量", "en": "Count"},
    "map": {"zh": "辖区地图与点位到达时间", "en": "Map and travel time from the posts"},
    "map_note": {
        "zh": "道路颜色：从最近的有人值守点位"
              "（巡逻驻点、快反点、屯警点、警务站、派出所）驾车到达的时间。",
        "en": "Roads coloured by driving time from the nearest staffed post "
              "(patrol station, rapid-response point, standby point, kiosk, police station).",
    },
    "legend_band": {"zh": "{b} 分钟内", "en": "within {b} min"},
    "legend_beyond": {"zh": "超过 {b} 分钟", "en": "beyond {b} min"},
    "legend_unreached": {"zh": "不可达", "en": "unreachable"},
    "legend_tier": {"zh": "{t} 级重点部位", "en": "tier-{t} site"},
    "access": {"zh": "1-3-5 分钟快反圈（当前点位）",
               "en": "The 1-3-5 minute rings (current posts)"},
    "mode": {"zh": "方式", "en": "Mode"},
    "mode_car": {"zh": "驾车", "en": "car"},
    "mode_foot": {"zh": "步行", "en": "foot"},
    "within": {"zh": "{b} 分钟内到达的路网节点", "en": "nodes reached within {b} min"},
    "median": {"zh": "中位到达时间（分钟）", "en": "median minutes"},
    "max": {"zh": "最长到达时间（分钟）", "en": "longest minutes"},
    "unreachable": {"zh": "不可达节点", "en": "unreachable nodes"},
    "ring_level": {"zh": "控制圈等级", "en": "Ring level"},
    "ring_1": {"zh": "一级：重点核心区域", "en": "1: core area"},
    "ring_2": {"zh": "二级：人员密集场所", "en": "2: crowded places"},
    "ring_3": {"zh": "三级：一般区域", "en": "3: general area"},
    "target": {"zh": "目标（分钟）", "en": "target (min)"},
    "share_met": {"zh": "达标比例", "en": "share within target"},
    "backup_met": {"zh": "备援达标比例", "en": "backup within target"},
    "nearest_post": {"zh": "最近点位", "en": "nearest post"},
    "by_hour": {"zh": "各时段快反圈（驾车，按时段车速）",
                "en": "Rings by hour (car, speeds of the hour)"},
    "rings_off_network": {
        "zh": "按警情加权的达标比例只计 {n} 起历史警情中的 {w} 起：其余 {off} 起距路网超过"
              " {m:g} 米，不计入任何节点（请核对警情坐标及其坐标系）。",
        "en": "The incident-weighted shares weigh {w} of the record's {n} incidents: the other "
              "{off} lie more than {m:g} m from the road network and weigh no node (check the "
              "incidents' coordinates and their CRS).",
    },
    "by_hour_note": {
        "zh": "高峰时段车速下降，达标比例随之变化。达标比例、按警情加权达标、重点部位达标、"
              "未达标节点四列按有人值守点位计（驾车）；“按方案警力”三列按该时段方案中在岗的"
              "巡特警、派出所和武警联勤单元所在位置及各自交通方式计。封控时间为方案在岗警力封堵全部出入口所需的最长时间。"
              "各日不同的时段按日期分行。",
        "en": "Peak-hour speeds are slower, so shares change by hour. The first four columns "
              "are from the staffed posts by car; the three \"plan's units\" columns from "
              "where the plan's police units of the slot stand, each at its own mode. Blockade "
              "time is the time until the plan's units on duty seal the last exit. An hour "
              "whose days differ has a row for each group of days, dated.",
    },
    "hour": {"zh": "时段", "en": "Hour"},
    "weighted_incidents": {"zh": "按警情加权达标", "en": "within target, incident-weighted"},
    "sites_met": {"zh": "重点部位达标", "en": "sites within target"},
    "plan_share_met": {"zh": "按方案警力达标比例", "en": "share within target, plan's units"},
    "plan_sites_met": {"zh": "按方案警力重点部位达标", "en": "sites within target, plan's units"},
    "plan_uncovered_nodes": {"zh": "按方案警力未达标节点",
                             "en": "nodes missing target, plan's units"},
    "uncovered_nodes": {"zh": "未达标节点", "en": "nodes missing target"},
    "blockade_minutes": {"zh": "封控时间（分钟）", "en": "blockade (min)"},
    "unsealed": {"zh": "未封堵出入口", "en": "exits left open"},
    "staging": {"zh": "建议动中备勤点", "en": "staging points"},
    "staging_held": {"zh": "动中备勤（单元守 1 级重点部位）",
                     "en": "staging held (unit: tier-1 sites)"},
    "checkpoint_method_repeated": {"zh": "{method}（按一天求解，逐日重复）",
                                   "en": "{method} (one day solved, repeated daily)"},
    "timeline_route_see_sheet": {"zh": "（路线见勤务表）", "en": "(streets: see the plan sheet)"},
    "staging_held_at": {"zh": "{unit}守{sites}", "en": "{unit}: {sites}"},
    "staging_short": {"zh": "无单元守圈的 1 级重点部位", "en": "tier-1 rings not held"},
    "legend_uncovered": {"zh": "未达标地点", "en": "place missing its target"},
    # a temporary post on the map (posts.csv temporary; a review: drawn as an ordinary kiosk)
    "legend_temporary": {"zh": "临时岗（仅在活动时段值守）",
                         "en": "temporary post (staffed only in its events' hours)"},
    "temporary_post_title": {"zh": "{name}（临时岗，仅在活动时段值守：{events}）",
                             "en": "{name} (temporary post, staffed only in its events' hours: "
                                   "{events})"},
    "temporary_post_none": {"zh": "无活动使用", "en": "no event uses it"},
    "site_table": {"zh": "重点部位到达时间", "en": "Travel time to the key sites"},
    "name": {"zh": "名称", "en": "Name"},
    "nearest_minutes": {"zh": "驾车（分钟）", "en": "by car (min)"},
    "met": {"zh": "达标", "en": "met"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "forces": {"zh": "巡防力量", "en": "Forces"},
    "plan_sheet": {"zh": "勤务表", "en": "Plan sheet"},
    "risk": {"zh": "警情风险预测（按网格、时段）", "en": "Incident risk forecast by grid and slot"},
    "risk_note": {
        "zh": "方法 {method}；训练窗口 {window}（含首尾两日；{n} 起警情）；"
              "方案时段内预计警情 {total} 起。颜色为各网格在该时段的预计警情数，"
              "方案全部时段同一色阶（至其最高值）。",
        "en": "Method {method}; trained on {window} (both days included; {n} incidents); "
              "{total} incidents expected over the plan. Colour: expected incidents of the "
              "grid in the slot, one scale for every slot of the plan, to its highest.",
    },
    "risk_as_of": {
        "zh": "历史警情止于 {last}，早于方案首日 {n} 天：预测以其次日为起点（提前期相同），"
              "无法反映其间 {m} 天的变化。",
        "en": "The incident record ends on {last}, {n} days before the plan: the forecast is "
              "made as of the day after it (the same lead times) and knows nothing of the "
              "{m} days between.",
    },
    "incidents_before": {"zh": "{total}（方案首日前 {n} 起；此后 {later} 起未用）",
                         "en": "{total} ({n} before the plan; {later} after it, not used)"},
    "risk_maps_of": {"zh": "下列热力图为方案首日 {d} 的各时段。",
                     "en": "The maps are of the plan's first day, {d}."},
    "risk_few": {
        "zh": "警告：本预测仅依据 {n} 起警情，其警情水平与高风险网格几近猜测。",
        "en": "Warning: the forecast rests on {n} incidents: its levels and hot grids are "
              "little more than a guess.",
    },
    # the advice after it is the record's: a datum for lon/lat, the CRS for x/y (b1, a
    # record in UTM x/y, was told of Amap's and Tencent's lon/lat)
    "risk_outside": {
        "zh": "警告：历史警情 {total} 起中有 {off} 起（{p}）位于所有防控网格之外，未计入预测。",
        "en": "Warning: {off} of {total} incidents ({p}) lie outside every grid and are not "
              "forecast.",
    },
    "risk_outside_lonlat": {
        "zh": "请核对其坐标（经纬度若取自高德、腾讯地图，须在 scenario.toml 中写明 "
              "coords = \"gcj02\"，取自百度地图写明 \"bd09\"）及网格范围。",
        "en": " Check their coordinates (lon/lat taken from Amap or Tencent maps need coords "
              "= \"gcj02\" in scenario.toml, from Baidu's \"bd09\") and the grids.",
    },
    "risk_outside_xy": {
        "zh": "请核对其坐标（x/y 须为 scenario.toml 中 crs 所写的坐标系；导出时若用了另一坐标系，"
              "位置即会偏离）及网格范围。",
        "en": " Check their coordinates (x/y must be in the CRS scenario.toml's crs names: a "
              "record exported in another lies elsewhere) and the grids.",
    },
    "risk_outside_both": {
        "zh": "请核对其坐标（经纬度若取自高德、腾讯地图，须在 scenario.toml 中写明 "
              "coords = \"gcj02\"，取自百度地图写明 \"bd09\"；x/y 须为 crs 所写的坐标系）"
              "及网格范围。",
        "en": " Check their coordinates (lon/lat taken from Amap or Tencent maps need coords "
              "= \"gcj02\" in scenario.toml, from Baidu's \"bd09\"; x/y must be in the CRS "
              "its crs names) and the grids.",
    },
    "risk_unconverged": {
        "zh": "{method} 的 EM 拟合迭代 {n} 次后仍未收敛：其自激发参数（theta、omega）不确定，"
              "预测的风险水平与热点仅供参考。",
        "en": "{method}'s EM fit stopped after {n} iterations unconverged: its "
              "self-excitation (theta, omega) is uncertain, and so are the levels and hot "
              "grids it gives.",
    },
    "risk_clock_back": {
        "zh": "{day} 时钟回拨（{tz}）：{h} 出现两次，该时段含两小时的风险。方案的时段按钟点划分，"
              "勤务表中该时段的勤务两小时都要执行（排班按实际经过的小时计）。",
        "en": "The clocks go back on {day} ({tz}): {h} happens twice, and its slot holds two "
              "hours of risk. The plan's slots are clock hours: its duties in the plan sheet "
              "hold for both hours (the roster counts the elapsed hours).",
    },
    "risk_clock_forward": {
        "zh": "{day} 时钟拨快（{tz}）：{h} 被跳过，该时段少一小时的风险。方案的时段按钟点划分，"
              "勤务表中 {h} 的勤务不会发生：前一时段的警力直接延续到后一时段"
              "（排班按实际经过的小时计）。",
        "en": "The clocks go forward on {day} ({tz}): {h} is skipped, and its slot holds an "
              "hour less of risk. The plan's slots are clock hours: the plan sheet's duties "
              "of {h} do not happen, and the units of the hour before go on to the hour after "
              "(the roster counts the elapsed hours).",
    },
    "risk_categories": {
        "zh": "预测只计入以下类别的警情（scenario.toml 的 risk_categories）：{c}；"
              "历史警情中其他类别的 {n} 起未计入。",
        "en": "The forecast counts the incidents of {c} only (scenario.toml's "
              "risk_categories): {n} incidents of other categories are left out.",
    },
    "risk_category_absent": {
        "zh": "{c}（{day} 前无）",
        "en": "{c} (none before {day})",
    },
    "risk_holidays": {
        "zh": "gbm：{c} 法定节假日（scenario.toml 的 country）。",
        "en": "gbm: {c} public holidays (scenario.toml's country).",
    },
    "risk_holidays_declared": {
        "zh": "gbm：{c} 法定节假日（scenario.toml 的 country），"
              "另加 [[policy.holidays]] 所列 {n} 天。",
        "en": "gbm: {c} public holidays (scenario.toml's country), and the {n} days of its "
              "[[policy.holidays]].",
    },
    "risk_tied": {
        "zh": "自动选择：各候选方法在验证期每天命中的网格相同"
              "（{n} 个网格的前 {c} 即最繁忙的一个），"
              "故按各方法对每日警情在全部网格间分布的预测（对数似然）比较，"
              "取与最优者相差不超过一个标准误的最简单方法。",
        "en": "auto: every candidate hit the same grids on every validation day (the top {c} "
              "of {n} grids is the busiest one), so it compared how well each spread the "
              "days' incidents over all grids (log-likelihood) and took the simplest within "
              "one standard error of the best.",
    },
    "risk_tied_default": {
        "zh": "自动选择：各候选方法在验证期每天得分相同"
              "（无一命中，或警情太少、无法按对数似然区分），故取最简单的方法。",
        "en": "auto: every candidate scored the same on every validation day (no hit at all, "
              "or too few incidents to tell them apart by log-likelihood), so the simplest "
              "stands.",
    },
    "risk_dates_only": {
        "zh": "历史警情只有日期、没有时刻：每日风险在各小时平均分配，故不列高峰时段。",
        "en": "The incidents carry dates without times of day: each day's risk is spread "
              "evenly over its hours, and no peak slot is given.",
    },
    "risk_midnight": {
        "zh": "训练窗口中 {p} 的警情恰在 00:00，远多于其他整点：视为时刻不详，计入每日风险，"
              "但不用于分配各小时。",
        "en": "{p} of the window's incidents are at exactly 00:00, far more than at any other "
              "whole hour: taken as times not known, they count in each day's risk but not "
              "in how it is spread over the hours.",
    },
    "risk_unrecorded": {
        "zh": "训练窗口中有 {n} 天历史警情缺失（连续一周以上无任何警情，而按其警情率应有 30 起"
              "以上，疑为导出遗漏），不视为无警情之日。",
        "en": "{n} days of the training window lie in a hole of the record (a week or more "
              "without any incident where its rate expects 30 or more: an export that missed "
              "them?), not taken as days without incidents.",
    },
    "risk_coverage": {
        "zh": "近一年警情水平按有记录的天数折算（× {f}）。",
        "en": " The last year's level is scaled to the days recorded (× {f}).",
    },
    "risk_short": {
        "zh": "历史警情自 {d} 起，短于训练窗口：按其 {n} 天计算警情率。",
        "en": "The incident record starts on {d}, inside the training window: rates are over "
              "its {n} days.",
    },
    # why the plan has no forecast, from plan.json's intel reason and the fields beside it
    # (a review: the Chinese report quoted the English sentence); the sentence after it says
    # what the deployment then weighs the grids by (risk_weighs_*)
    "risk_skipped_history": {
        "zh": "无警情预测：本辖区没有可供学习的历史警情（incidents.csv 缺失或为空）；"
              "请补充历史警情后重新生成方案。",
        "en": "No incident forecast: the scenario has no incident record to learn from "
              "(incidents.csv missing or empty); add the incident record and plan again.",
    },
    "risk_skipped_later": {
        "zh": "无警情预测：历史警情（incidents.csv 共 {n} 起）始于 {first}，晚于方案首日 {day}；"
              "方案只依据首日之前的警情，故无可供学习的警情。请将方案首日定在记录开始之后，"
              "或补充更早的历史警情。",
        "en": "No incident forecast: the incident record (incidents.csv, {n} incidents) starts "
              "on {first}, after the plan's first day {day}; a plan learns from the incidents "
              "before its first day only, and there are none. Plan from a day after the record "
              "starts, or add the earlier record.",
    },
    "risk_skipped_grids": {
        "zh": "无警情预测：本辖区没有防控网格可供预测。",
        "en": "No incident forecast: the scenario has no prevention grids to forecast for.",
    },
    "risk_skipped_outside": {
        "zh": "无警情预测：历史警情{count}没有一起落在防控网格内。{hint}",
        "en": "No incident forecast: none of the incident record{count} lies in a prevention "
              "grid. {hint}",
    },
    "risk_skipped_count": {"zh": "（共 {n} 起）", "en": " ({n} incidents)"},
    "risk_skipped_outside_lonlat": {
        "zh": "经纬度取自高德/腾讯（GCJ-02）或百度（BD-09）地图时，须在 scenario.toml 设 "
              "coords = \"gcj02\" 或 \"bd09\"（现为 {datum}）。",
        "en": "Lon/lat from Amap/Tencent (GCJ-02) or Baidu (BD-09) maps need coords = "
              "\"gcj02\" or \"bd09\" in scenario.toml (it says {datum}).",
    },
    "risk_skipped_outside_xy": {
        "zh": "x/y 若不是 scenario.toml crs 所指的坐标系（{crs}），位置即会偏离："
              "请核对 incidents.csv 导出时所用的坐标系。",
        "en": "x/y in another CRS than scenario.toml's crs ({crs}) lie elsewhere: check the "
              "CRS incidents.csv was exported in.",
    },
    "risk_skipped_outside_any": {  # a plan.json written before the stage gave its fields
        "zh": "请核对 incidents.csv 的坐标：x/y 须为 scenario.toml crs 所指坐标系，经纬度来自"
              "高德/腾讯（GCJ-02）或百度（BD-09）地图时须在 scenario.toml 设 coords。",
        "en": "Check incidents.csv's coordinates: x/y must be in scenario.toml's crs, and "
              "lon/lat from GCJ-02 or BD-09 maps need its coords.",
    },
    "risk_skipped_categories": {
        "zh": "无警情预测：方案首日 {day} 之前的 {n} 起警情中没有 scenario.toml risk_categories "
              "所列类别（{categories}）的警情，这些类别的警情都在首日及之后；"
              "可在 risk_categories 中增列类别。",
        "en": "No incident forecast: none of the {n} incidents before the plan's first day "
              "{day} is of scenario.toml's risk_categories ({categories}): the record holds "
              "them from that day on only; risk_categories may name more categories.",
    },
    "risk_skipped_categories_any": {  # a plan.json written before the stage gave its fields
        "zh": "无警情预测：方案首日之前没有 scenario.toml risk_categories 所列类别的警情；"
              "可在 risk_categories 中增列类别。",
        "en": "No incident forecast: no incident of scenario.toml's risk_categories comes "
              "before the plan's first day; risk_categories may name more categories.",
    },
    "risk_weighs_same": {
        "zh": "部署按各网格同等风险安排，并非依据情报研判。",
        "en": " The deployment weighs every grid the same, not by intelligence.",
    },
    # the dosage yardstick is the record (options dosage_basis "record" or "both"): of every
    # category where risk_categories has none before the plan (a review: "every grid the
    # same" of a plan whose needs were G4 13.9, G6 12.1, G3 6.2 from 4,460 such incidents)
    # the same where the count is not known (the forecast skipped for another reason than its
    # categories: incidents of them outside every grid, a review)
    "risk_weighs_record_any": {
        "zh": "部署中各网格应得的警力份额（警力剂量，posture.dosage_yardstick：{y}）按方案首日"
              "之前各类别警情的记录计算，并非依据情报研判；其余各项按各网格同等风险安排。",
        "en": " The deployment gives each grid its share of the units (the dosage, "
              "posture.dosage_yardstick: {y}) by the record of the incidents of every "
              "category before the plan, not by a forecast; every other term weighs every "
              "grid the same.",
    },
    "risk_weighs_record": {
        "zh": "部署中各网格应得的警力份额（警力剂量，posture.dosage_yardstick：{y}）按方案首日"
              "之前 {n} 起各类别警情的记录计算，并非依据 risk_categories 的情报研判；"
              "其余各项按各网格同等风险安排。",
        "en": " The deployment gives each grid its share of the units (the dosage, "
              "posture.dosage_yardstick: {y}) by the record of the {n} incidents of every "
              "category before the plan, not by a forecast of the risk_categories; every "
              "other term weighs every grid the same.",
    },
    "risk_more": {"zh": "另有 {n} 个时段见 plan.json 与 risk.csv。",
                  "en": "{n} more slots are in plan.json and risk.csv."},
    # the plan's highest slot where it lies after the first day's maps: drawn after them
    "risk_peak_map": {"zh": "最后一幅为全方案风险最高的时段 {when}（首日之外）。",
                      "en": " The last map is the plan's highest slot, {when} (after the "
                            "first day)."},
    "risk_peak_mark": {"zh": "（全方案最高）", "en": " (plan's peak)"},
    "risk_peak_not_drawn": {"zh": "（无热力图，见 risk.csv）", "en": " (no map: risk.csv)"},
    "hot_grids": {"zh": "高风险网格", "en": "Hot grids"},
    # the hot grids' rule: Forecast.hot_order's, as /api/risk, `intel forecast` and the check
    "hot_ranked_per_km2": {
        "zh": "按每平方公里预计警情排序（与预测检验、/api/risk 和 xunfang intel forecast 相同："
              "网格大小不一，大网格不因面积大而居前）。",
        "en": "Ranked by expected incidents per km² (as the forecast's check, /api/risk and "
              "xunfang intel forecast rank them: the grids differ in size, and a big grid "
              "does not lead by its size).",
    },
    "hot_ranked_expected": {
        "zh": "按预计警情排序（各网格大小相同）。",
        "en": "Ranked by expected incidents (the grids are all of one size).",
    },
    "per_km2": {"zh": "每平方公里预计警情", "en": "Expected per km²"},
    "rank_expected": {"zh": "预计警情", "en": "expected incidents"},
    "rank_per_km2": {"zh": "每平方公里预计警情", "en": "expected incidents per km²"},
    "rank_per_km": {"zh": "每公里街道预计警情", "en": "expected incidents per km of street"},
    "check": {"zh": "预测检验：近几周的历史警情",
              "en": "How the forecast did over the record's last weeks"},
    "check_note": {
        "zh": "对历史警情最后 {days} 天（{first} – {last}，网格内警情 {n} 起）逐日作{ahead}"
              "的预测，方法与本方案首日相同（其后各日提前期更长），再与当天实际警情对照。"
              "“最热 k 个网格”按{rule}排序（与上方高风险网格表相同），列出当天警情落在其中的比例"
              "（括号内为这些网格占辖区面积的比例）；“最热网格·小时”为按网格 × 小时"
              "排序的前若干；另列每日预计警情数及其与实际的平均绝对误差。"
              "以“近 365 天计数”（naive）作对照。",
        "en": "Each of the record's last {days} days ({first} – {last}; {n} incidents in the "
              "grids) forecast {ahead}, the way this plan's first day is forecast (its later "
              "days lie further ahead), and compared with what came. The hottest k grids by "
              "{rule} (the hot grids' rule): the share of the day's incidents in them (in "
              "brackets, the "
              "share of the area they make up); the hottest grid-hours, likewise by grid × "
              "hour; the expected incidents a day and the mean absolute error of each day's. "
              "Naive counts over the last 365 days stand beside it as a yardstick.",
    },
    "check_ahead_one": {"zh": "提前一天", "en": "one day ahead"},
    "check_ahead": {"zh": "提前 {lead} 天", "en": "{lead} days ahead"},
    "check_vs": {
        "zh": "{method} 的{what}单位面积警情数为 naive 的 {r} 倍，95% 区间 {lo} 至 {hi}"
              "（按天配对自助抽样）；区间含 1 即这几周分不出两者高下。",
        "en": "{method}: {r} times naive's incidents per unit of area in its {what}, 95 % "
              "interval {lo} to {hi} (paired bootstrap over days); an interval that holds 1 "
              "means these weeks cannot tell the two apart.",
    },
    "check_ci": {
        "zh": "{method} 的{what}所占警情比例的 95% 区间（按天自助抽样）：{lo} – {hi}。",
        "en": "95 % interval of the share in {method}'s {what} (bootstrap over days): "
              "{lo} – {hi}.",
    },
    "check_same": {
        "zh": "（与 naive 逐日预测完全相同）",
        "en": " (the same forecast as naive counts, every day)",
    },
    "check_what_one": {"zh": "最热网格", "en": "hottest grid"},
    "check_what": {"zh": "最热 {k} 个网格", "en": "hottest {k} grids"},
    "check_lead_short": {
        "zh": "本方案的预测距历史警情之末 {lead} 天，历史警情不够长，无法按此提前期检验："
              "上表为提前一天的预测，本方案自身的误差可能更大。",
        "en": "This plan is forecast {lead} days past the record's end; the record is too "
              "short to check that far ahead, so the table is of forecasts one day ahead and "
              "the plan's own error is likely larger.",
    },
    "check_gaps": {
        "zh": "其中 {n} 天历史警情缺失（连续一周以上无任何警情，而按其警情率应有 30 起以上），"
              "不计入。",
        "en": "{n} of these days lie in a hole of the record (a week or more without any "
              "incident where its rate expects 30 or more) and are left out.",
    },
    "check_hottest": {"zh": "最热 {k} 个网格", "en": "Hottest {k} grids"},
    "check_hottest_one": {"zh": "最热网格", "en": "Hottest grid"},
    "check_hours": {"zh": "最热 {p}% 网格·小时", "en": "Hottest {p} % of grid-hours"},
    "check_method": {"zh": "预测方法", "en": "Forecast"},
    "check_expected": {"zh": "每日预计（起）", "en": "Expected a day"},
    "check_error": {"zh": "每日误差（起）", "en": "Error a day"},
    "check_actual": {"zh": "实际", "en": "Actual"},
    "check_short": {
        "zh": "未作检验：历史警情过短（需至少五周）。",
        "en": "Not checked: the incident record is too short (it needs five weeks).",
    },
    "check_few": {
        "zh": "未作检验：检验期内网格中警情不足 30 起，无从判断。",
        "en": "Not checked: fewer than 30 incidents in the grids over the days to check "
              "against; too few to tell anything.",
    },
    "check_empty": {
        "zh": "未作检验：检验期内网格中没有警情。",
        "en": "Not checked: no incident in the grids over the days to check against.",
    },
    "grid": {"zh": "网格", "en": "Grid"},
    "expected": {"zh": "预计警情（起）", "en": "Expected incidents"},
    "share": {"zh": "占比", "en": "Share"},
    "peak_slot": {"zh": "高峰时段", "en": "Peak slot"},
    "roster": {"zh": "勤务排班", "en": "Duty roster"},
    "roster_note": {
        "zh": "{n} 人参与排班；求解状态 {status}。表中为各班组每日班次；加班勤务（午间、晚间、"
              "周末、节假日、重大活动）另列，计入每周工时上限。"
              "完整排班见 roster.csv / roster.xlsx。",
        "en": "{n} people rostered; solver status {status}. Each team's shift per day; special "
              "duties (noon, evening, weekend, holiday, events) are listed apart and count "
              "towards the weekly hour cap. The full roster is in roster.csv / roster.xlsx.",
    },
    "date": {"zh": "日期", "en": "Date"},
    "day_kind": {"zh": "类型", "en": "Day"},
    "special_duties": {"zh": "加班勤务", "en": "Special duties"},
    "day_workday": {"zh": "工作日", "en": "workday"},
    "day_weekend": {"zh": "周末", "en": "weekend"},
    "day_holiday": {"zh": "节假日", "en": "holiday"},
    "makeup": {"zh": "调休上班", "en": "make-up workday"},
    "shift_early": {"zh": "早班", "en": "early"},
    "shift_middle": {"zh": "中班", "en": "middle"},
    "shift_night": {"zh": "夜班", "en": "night"},
    "shift_day": {"zh": "白班", "en": "day"},
    "shift_office": {"zh": "白班", "en": "day"},
    "shift_off": {"zh": "休", "en": "off"},
    "team_day": {"zh": "常白班组", "en": "day team"},
    # the roster table's convention, one line under it (html._roster_section)
    "roster_by_start": {
        "zh": "班次按开始日期列出：00:00–08:00 的夜班列在其开始的当天（roster.csv / roster.xlsx "
              "的“日期”为排班日，夜班记在前一天）；“休”为当天没有开始的班次。",
        "en": "Shifts are listed on the date they start: a night shift of 00:00–08:00 is on the "
              "day it begins (roster.csv / roster.xlsx date it by its roster day, the day "
              "before); \"off\" means no shift starts that day.",
    },
    "hours_by_start": {
        "zh": "工时与夜班按上表的日期计：班次记在其开始的当天（含首日 00:00 起的夜班，"
              "不含表后一天开始的班次）；roster.xlsx 的“人员工时”按排班日计，两者可相差一个夜班。",
        "en": "Hours and nights over the table's days, each duty on the day it starts (the "
              "first day's 00:00 night in, a shift starting after the last day out); "
              "roster.xlsx's hours per person count by roster day and may differ by a night.",
    },
    "roster_starts_later": {
        "zh": "{when} 开始的班次（{teams}）在表后一天，见 roster.csv。",
        "en": " The shift starting {when} ({teams}) is after the table's last day: see "
              "roster.csv.",
    },
    "weekday_0": {"zh": "周一", "en": "Mon"},
    "weekday_1": {"zh": "周二", "en": "Tue"},
    "weekday_2": {"zh": "周三", "en": "Wed"},
    "weekday_3": {"zh": "周四", "en": "Thu"},
    "weekday_4": {"zh": "周五", "en": "Fri"},
    "weekday_5": {"zh": "周六", "en": "Sat"},
    "weekday_6": {"zh": "周日", "en": "Sun"},
    "fairness": {"zh": "公平性（基尼系数，越小越均衡）", "en": "Fairness (Gini, lower is fairer)"},
    "hours_top": {"zh": "工时最多的人员", "en": "Most hours"},
    "person": {"zh": "人员", "en": "Person"},
    "regular_hours": {"zh": "正常工时", "en": "Regular h"},
    "special_hours": {"zh": "加班工时", "en": "Special h"},
    "nights": {"zh": "夜班", "en": "Nights"},
    "checkpoints": {"zh": "高频率、无规则设卡（博弈随机化）",
                    "en": "Randomized checkpoints (Stackelberg game)"},
    "checkpoints_note": {
        "zh": "求解方法 {method}，强斯塔克尔伯格均衡校验：{sse}。对手最优期望收益 {attacker}"
              "（均匀随机设卡 {uniform}，固定设卡 {fixed}，越低越好）；"
              "每日排班熵至少 {entropy} 比特，最可能的一日排班概率至多 {top}"
              "（越低越难被摸清规律）。",
        "en": "Solver {method}; strong Stackelberg equilibrium check: {sse}. The attacker's "
              "best expected payoff {attacker} (uniform random {uniform}, fixed schedule "
              "{fixed}; lower is better); schedule entropy at least {entropy} bits a day, the "
              "likeliest day's schedule has probability at most {top} (lower is harder for "
              "an observer to learn).",
    },
    "checkpoint_free": {"zh": "（空闲：未抽中设卡）", "en": "(free: no check drawn)"},
    "checkpoint_site": {"zh": "卡点", "en": "Site"},
    "kpis": {"zh": "方案效果（仿真评估）", "en": "How the plan does (simulated)"},
    "kpis_note": {
        "zh": "按预测抽样警情，方案与三个参照方案在相同警情、相同随机种子下各仿真 {r} 次；"
              "方括号内为 95% 置信区间。",
        "en": "Incidents sampled from the forecast; the plan and three reference plans each "
              "simulated {r} times on the same incidents and seed; 95 % intervals in brackets.",
    },
    "kpis_note_record": {
        "zh": "按历史警情的每周分布抽样警情（本方案无风险预测），方案与三个参照方案在相同警情、"
              "相同随机种子下各仿真 {r} 次；方括号内为 95% 置信区间。",
        "en": "Incidents sampled from the record's weekly profile (the plan has no forecast); "
              "the plan and three reference plans each simulated {r} times on the same "
              "incidents and seed; 95 % intervals in brackets.",
    },
    "kpi": {"zh": "指标", "en": "Measure"},
    "kpi_plan": {"zh": "本方案", "en": "This plan"},
    "baseline_posts": {"zh": "参照：定点驻守", "en": "Baseline: held at posts"},
    "baseline_even": {"zh": "参照：均匀分布", "en": "Baseline: spread evenly"},
    "baseline_proportional": {"zh": "参照：按警情比例", "en": "Baseline: by last year's counts"},
    "kpi_response_p50_min": {"zh": "到场时间中位数（分钟）", "en": "Response p50 (min)"},
    "kpi_response_p90_min": {"zh": "到场时间 90 分位数（分钟）", "en": "Response p90 (min)"},
    "kpi_response_within_target": {"zh": "1-3-5 分钟达标率", "en": "Within the 1-3-5 target"},
    "kpi_visibility": {"zh": "见警率", "en": "Visibility"},
    "kpi_patrol_gap_minutes": {"zh": "巡逻断档（分钟）", "en": "Patrol gaps (minutes)"},
    "kpi_over_deployment": {"zh": "过度投放", "en": "Over-deployment"},
    "kpi_scene_p50_min": {"zh": "案发至到场中位数（分钟）",
                          "en": "Occurrence to arrival p50 (min)"},
    "kpi_scene_p90_min": {"zh": "案发至到场 90 分位数（分钟）",
                          "en": "Occurrence to arrival p90 (min)"},
    "kpi_camera_detected_share": {"zh": "视频巡查发现占比", "en": "Detected by camera (share)"},
    "kpi_drone_eyes_first_share": {"zh": "无人机先于警力到场占比",
                                   "en": "Drone eyes on scene first (share)"},
    "kpi_drone_eyes_p50_min": {"zh": "无人机到场中位数（分钟）",
                               "en": "Drone eyes on scene p50 (min)"},
    "kpi_drone_sortie_minutes_per_day": {"zh": "无人机巡飞（分钟/天）",
                                         "en": "Drone sortie minutes per day"},
    "kpi_drone_sorties_missed": {"zh": "无人机漏飞架次", "en": "Drone sorties missed"},
    "response_distribution": {"zh": "到场时间分布", "en": "Response-time distribution"},
    "within_by_slot": {"zh": "各时段 1/3/5 分钟内到场比例",
                       "en": "Share reached within 1/3/5 min by slot"},
    "visibility": {"zh": "见警率", "en": "Visibility"},
    "within_min": {"zh": "{b} 分钟内", "en": "within {b} min"},
    "visibility_by_grid": {"zh": "各网格见警率", "en": "Visibility by grid"},
    "incidents_per_day": {"zh": "每次仿真平均起数", "en": "per replication"},
    "kpi_counts": {
        "zh": "仿真警情 {incidents} 起：已处置 {served} 起，未处置 {unserved} 起，无法到达 "
              "{unreachable} 起，不在路网上 {off_network} 起（均计入统计，未剔除）。",
        "en": "{incidents} simulated incidents: {served} served, {unserved} unserved, "
              "{unreachable} unreachable, {off_network} off the network (counted, not dropped).",
    },
    "staffed_slots": {"zh": "日均设卡时段数", "en": "Staffed slots per day (expected)"},
    "plan_note": {
        "zh": "部署方案：每个时段按风险、1-3-5 分钟圈、重点部位巡查频次、叠加巡逻和节点勤务，"
              "由混合整数规划（HiGHS）决定各网格的警力数，再把在岗单元（按排班配员）分派到"
              "各自巡防区；固定岗位、设卡排程和指挥员指定的岗位保持不变。求解状态：{status}，"
              "最优性差距 {gap}。路线巡逻列出所经街道（按首次经过的顺序，各列一次）；"
              "逐段行驶顺序见 plan_sheet.xlsx（打印用勤务表）和 plan_sheet.csv。",
        "en": "Deployment plan: in every slot a mixed-integer model (HiGHS) sets the units per "
              "grid from risk, the 1-3-5 rings, key-site revisit intervals, joint patrols and "
              "events, then the units on duty (crewed from the roster) are assigned within "
              "their zones; fixed posts, the checkpoint schedule and the planner's pins are "
              "kept. Solver status: {status}, largest relative gap {gap}. A route patrol "
              "lists the streets it drives, each once, in the order first driven; the turn "
              "by turn order is in plan_sheet.xlsx (the duty sheet to print) and "
              "plan_sheet.csv.",
    },
    "timeline": {"zh": "单元时间轴", "en": "Timeline per unit"},
    "timeline_note": {
        "zh": "每格一个时段：网格编号（巡逻）、点位编号（定点/设卡），空白为休息。",
        "en": "One cell per slot: the grid patrolled or the post held; blank when off duty.",
    },
    "chart_minutes": {"zh": "到场时间（分钟）", "en": "response time (min)"},
    "chart_hour": {"zh": "时刻", "en": "hour of day"},
    "timeline_days": {
        "zh": "共 {n} 天，每天一张表（完整方案另见 plan_sheet.xlsx）。",
        "en": " {n} days, one table a day (the whole plan is also in plan_sheet.xlsx).",
    },
    # the events of the plan (events.csv) as the plan serves them (html._events_section)
    "events": {"zh": "活动安保", "en": "Events"},
    "events_note": {
        "zh": "活动（节点勤务）期间的警力：每个活动岗位每时段要求 1 + 增派人数 ÷ 岗位数（向下取整）"
              "个单元，按本方案在活动时间内的时段计；“已安排”为方案中注明该活动、站在该岗位的"
              "单元·时段数；等级缺口为部署未能满足活动等级要求（2 级每个网格至少 1 个单元，3 级"
              "另在 1 级重点部位所在网格各 2 个）的网格·时段数，明细见警力缺口表。",
        "en": "The units an event (节点勤务) is given: each of its posts asks 1 + extra staff ÷ "
              "its posts (rounded down) units per slot of this plan within its hours; planned "
              "counts the unit-slots the plan stands at the post for the event; level short "
              "counts the (grid, slot) cells the deployment left short of the event's level "
              "(level 2: a unit in every grid; 3: also two in the grids of tier-1 sites), "
              "listed under Shortfalls."},
    "event_name": {"zh": "活动", "en": "Event"},
    "event_hours": {"zh": "时间", "en": "Hours"},
    "event_level": {"zh": "等级", "en": "Level"},
    "event_slots": {"zh": "方案内时段", "en": "Slots in plan"},
    "event_post": {"zh": "活动岗位", "en": "Post"},
    "event_per_slot": {"zh": "每时段要求", "en": "Units per slot"},
    "event_asked": {"zh": "要求（单元·时段）", "en": "Asked (unit-slots)"},
    "event_planned": {"zh": "已安排", "en": "Planned"},
    "event_short": {"zh": "缺口", "en": "Short"},
    "event_short_slots": {"zh": "缺员时段（实有/要求）", "en": "Slots short (have/asked)"},
    "event_level_short": {"zh": "等级缺口（网格·时段）", "en": "Level short (grid-slots)"},
    "event_no_posts": {"zh": "（无活动岗位）", "en": "(no posts)"},
    "event_level_1": {"zh": "1 级：仅活动岗位", "en": "1: its posts only"},
    "event_level_2": {"zh": "2 级：每个网格至少 1 个单元", "en": "2: a unit in every grid"},
    "event_level_3": {"zh": "3 级：另在 1 级重点部位所在网格各 2 个单元",
                      "en": "3: also two in the grids of tier-1 sites"},
    "shortfalls": {"zh": "警力缺口", "en": "Shortfalls"},
    "shortfalls_note": {
        "zh": "在岗警力不足以完成的勤务（按时段列出，不隐藏）：共 {n} 项。",
        "en": "Duties the units on duty cannot meet, slot by slot (never hidden): {n} in all.",
    },
    "shortfalls_none": {"zh": "无缺口。", "en": "No shortfall."},
    # the other stages' shortfalls (plan.json's words; a review: "No shortfall" was said of a
    # plan whose drones left 101 thin grid-slots unflown)
    # (each said in Chinese by its pattern, html.STAGE_SHORT_SAID; one no pattern knows, as
    # a planning stage may add, is shown as plan.json writes it)
    "shortfalls_other": {"zh": "其他勤务环节的缺口（由 plan.json 原句译出，未能识别的句子保留"
                               "原文）：共 {n} 项。",
                         "en": "Shortfalls of the other stages (as plan.json words them): {n}."},
    "short_stage_routes": {"zh": "巡逻路线", "en": "routes"},
    "short_stage_drones": {"zh": "无人机巡飞", "en": "drones"},
    "short_stage_video": {"zh": "视频巡查", "en": "video patrol"},
    "short_stage_auxiliary": {"zh": "群防群治力量", "en": "auxiliary forces"},
    # the posture's shortfall duties (planning.deploy.solve), in the report's language; the
    # detail column stays the posture's own words (plan.json's) but where a pattern of
    # html.POSTURE_SHORT_SAID says it (a tier-1 ring's)
    "short_checkpoint": {"zh": "设卡盘查", "en": "checkpoint"},
    "short_pin": {"zh": "指定部署", "en": "pin"},
    "short_fixed post": {"zh": "固定岗", "en": "fixed post"},
    "short_tier presence": {"zh": "重点部位巡查", "en": "tier presence"},
    "short_line presence": {"zh": "必巡线巡查", "en": "line presence"},
    "short_handover cover": {"zh": "交接班守护", "en": "handover cover"},
    "short_presence": {"zh": "见警巡查", "en": "presence"},
    "short_joint patrol": {"zh": "联合巡逻", "en": "joint patrol"},
    "short_patrol work": {"zh": "巡逻工作量", "en": "patrol work"},
    "short_hot incident": {"zh": "热点警情增援", "en": "hot incident"},
    "short_event post": {"zh": "活动安保岗", "en": "event post"},
    "short_staging": {"zh": "驻守点", "en": "staging"},
    "dosage_note": {
        "zh": "警力剂量：{n} 个网格·时段得到的警力不足其需求的 {share}（需求 = 该时段"
              "在岗着装警力 × 网格在{basis}中的份额），且缺额在 {units} 个单元及以上，主要在 "
              "{grids}；缺口最大为 {grid} {start}（实有 {have}，需求 {need}）。部署先满足"
              "勤务要求（{holders}重点部位巡查与驻守），再让尽量多的网格各有一个单元"
              "（见警率与 1-3-5 覆盖只计网格的第一个单元）；网格第一个单元之外的警力只在所有"
              "网格都达到需求后才有价值，所以最热网格只得到剩余警力：这些时段在岗的 {on} 个"
              "机动单元中有 {extra} 个在本网格第一个单元之外巡逻。这是模型的取舍，"
              "不是警力短缺。",
        "en": "Dosage: {n} grid-slot(s) get under {share} of their need (the slot's uniformed "
              "units × the grid's share of the {basis}) and at least {units} units fewer, "
              "mostly in {grids}; worst {grid} at {start}: {have} of {need}. The requirements "
              "come first ({holders}key-site patrol work and presence), then one unit in as "
              "many grids as possible; the hottest grids get what is left: {extra} of the {on} "
              "mobile units on duty patrolled beyond their grid's first. A trade-off of the "
              "model, not a shortage.",
    },
    "dosage_basis_record": {"zh": "警情记录", "en": "record"},
    "dosage_basis_forecast": {"zh": "风险预测", "en": "forecast"},
    "dosage_basis_same": {"zh": "各网格均分（无风险预测，网格内无警情记录）",
                          "en": "even split (no forecast, no record in a grid)"},
    "dosage_holders": {"zh": "平均每时段 {h} 个单元守点、", "en": "{h} ring holders a slot, "},
    "dosage_hold_rings": {"zh": "（hold_rings=false 可释放守点单元。）",
                          "en": " (hold_rings=false frees the ring holders.)"},
    # what the worst need rests on, and how many rest on a thin record (the English is the
    # posture's own note)
    "dosage_rests_on": {"zh": "缺口最大时段的需求依据：历史记录中一周内该时段（各周合计）共 "
                              "{total} 起警情，其中 {n} 起在 {grid}。",
                        "en": ""},
    "dosage_thin": {"zh": "其中 {thin} 个网格·时段所依据的该时段警情记录少于 {below} 起，"
                          "需求估计依据不足。",
                    "en": ""},
    "need": {"zh": "需要", "en": "Need"},
    "have": {"zh": "实有", "en": "Have"},
    "detail": {"zh": "说明", "en": "Detail"},
    "place": {"zh": "地点", "en": "Place"},
    "crew": {"zh": "配员", "en": "Crew"},
    "duty_drone": {"zh": "无人机巡飞", "en": "drone"},
    "duty_video": {"zh": "视频巡查", "en": "video patrol"},
    "unit": {"zh": "单元", "en": "Unit"},
    "squad": {"zh": "中队/小队", "en": "Squad"},
    "home_post": {"zh": "驻勤点位", "en": "Home post"},
    "duty": {"zh": "勤务", "en": "Duty"},
    "slots": {"zh": "时段", "en": "Slots"},
    "duty_post": {"zh": "定点备勤", "en": "standing at post"},
    "duty_grid": {"zh": "网格巡逻", "en": "patrolling grid"},
    "duty_route": {"zh": "路线巡逻", "en": "on route"},
    # an auxiliary force holding one key site in its hours (html.at_one_place): not a route
    "duty_point": {"zh": "定点值守", "en": "point duty"},
    # a route duty of one node holding a key site's ring (deploy/staging.py's note): no
    # route patrol (review AT: plan_sheet.xlsx and the timeline called it 路线巡逻)
    "duty_staging": {"zh": "屯警", "en": "staging"},
    # a unit at an event's post (events.csv's posts), not a permanent post's 定点备勤
    "duty_event": {"zh": "活动安保岗", "en": "event post"},
    "duty_event_of": {"zh": "活动安保岗（{event}）", "en": "event post ({event})"},
    "duty_checkpoint": {"zh": "设卡盘查", "en": "checkpoint"},
    "duty_off": {"zh": "休息", "en": "off duty"},
    "provenance": {"zh": "方案来源", "en": "Provenance"},
    "version": {"zh": "软件版本", "en": "xunfang version"},
    "seed": {"zh": "随机种子", "en": "Seed"},
    "inputs_hash": {"zh": "输入数据哈希", "en": "Inputs hash"},
    "source": {"zh": "数据来源", "en": "Source"},
    "synthetic": {
        "zh": "注意：内置示例辖区的地理与警情数据为合成数据，仅用于演示。",
        "en": "Note: the built-in scenario's geography and incidents are synthetic, "
              "for demonstration only.",
    },
    "osm_credit": {
        "zh": "道路数据 © OpenStreetMap 贡献者，ODbL 1.0 许可。",
        "en": "Road data © OpenStreetMap contributors, licensed under ODbL 1.0.",
    },
    "tier_special": {"zh": "巡特警", "en": "special patrol"},
    "tier_precinct": {"zh": "派出所", "en": "precinct"},
    "tier_auxiliary": {"zh": "群防群治", "en": "auxiliary"},
    "tier_armed": {"zh": "武警联勤", "en": "armed police"},
    "kind_station": {"zh": "巡逻驻点", "en": "patrol station"},
    "kind_rapid": {"zh": "快反点", "en": "rapid-response point"},
    "kind_standby": {"zh": "屯警点", "en": "standby point"},
    "kind_kiosk": {"zh": "警务站", "en": "street police station"},
    "kind_police_station": {"zh": "派出所", "en": "police station"},
    "kind_checkpoint": {"zh": "检查站/卡点", "en": "checkpoint"},
    "kind_exit": {"zh": "出入口", "en": "exit"},
    "kind_camera": {"zh": "视频监控", "en": "camera"},
    "map_site_tip": {"zh": "{name}（{tier} 级重点部位）", "en": "{name} (tier {tier} key site)"},
    "map_post_tip": {"zh": "{name}（{kind}）", "en": "{name} ({kind})"},
    "night_checkpoints": {"zh": "其中夜间卡点", "en": "of which night checkpoints"},
    "team": {"zh": "班组", "en": "Team"},
    "role": {"zh": "身份", "en": "Role"},
    "printed": {"zh": "本报告可离线打开与打印。", "en": "This report opens offline and prints."},
    # --- review AO: plan_sheet.xlsx's headers, special-duty reasons, drone shortfalls ---
    "sheet_unit": {"zh": "单元", "en": "Unit"},
    "sheet_unit_name": {"zh": "单元名称", "en": "Unit name"},
    "sheet_start": {"zh": "开始时间", "en": "Start"},
    "sheet_end": {"zh": "结束时间", "en": "End"},
    "sheet_kind": {"zh": "勤务", "en": "Duty"},
    "sheet_grid": {"zh": "网格", "en": "Grid"},
    "sheet_place": {"zh": "地点 / 路线", "en": "Place / route"},
    "sheet_crew": {"zh": "人员", "en": "Crew"},
    "sheet_duty": {"zh": "说明", "en": "Note"},
    "sheet_video_desk": {"zh": "视频巡查席 {n}", "en": "video desk {n}"},
    # plan_sheet.xlsx's printed header and footer (Excel's codes: &P the page, &N the pages)
    "sheet_print_header": {"zh": "{scenario} 勤务表 {dates}",
                           "en": "{scenario} plan sheet {dates}"},
    "sheet_print_footer": {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"},
    # the cells not flown for want of a crew, with why (drones.py's _grounded: which pilot
    # rides which ground unit when, html.SHORT_PART_SAID's drone_grounded and drone_clause)
    "drone_short_grounded": {
        "zh": "{n} 个力量薄弱的网格·时段因无人机无飞手未巡飞，权重 {w}：{shown}。"
              "原因：{drone_grounded}",
        "en": "{n} thin (grid, slot) cell(s) not flown with no drone crewed, weight {w}: "
              "{shown} — {drone_grounded}"},
    "drone_grounded_more": {"zh": "{drone_clause}；{drone_grounded}",
                            "en": "{drone_clause}; {drone_grounded}"},
    "drone_grounded_last": {"zh": "{drone_clause}", "en": "{drone_clause}"},
    "drone_clause_rides": {"zh": "{drones} 的飞手 {pilot} 在 {slots} 编入地面单元 {unit} 执勤",
                           "en": "pilot {pilot} of {drones} rides {unit} in slot(s) {slots}"},
    "drone_clause_held": {
        "zh": "{drones} 的飞手 {pilot} 在 {slots} 随地面单元 {unit} 在警情现场处置",
        "en": "pilot {pilot} of {drones} is aboard {unit}, held at an incident, "
              "in slot(s) {slots}"},
    "drone_clause_benched": {
        "zh": "{drones} 的飞手 {pilot} 在 {slots} 在岗，但其地面单元 {unit} 停用",
        "en": "pilot {pilot} of {drones} is on duty, their unit {unit} out of service, "
              "in slot(s) {slots}"},
    "drone_clause_no_pilot": {"zh": "{drones} 在 {slots} 无飞手在岗",
                              "en": "no pilot of {drones} on duty in slot(s) {slots}"},
    "drone_clause_unknown": {"zh": "{drones} 在 {slots} 未记录机组人员",
                             "en": "no crew named for {drones} in slot(s) {slots}"},
    # (“无人机优先配员” is scenario.toml's [policy.drones] crew_first: the zh report says
    # no English word, the dashboard's test holds it to that)
    "drone_clause_crew_first": {
        "zh": "若在辖区配置的无人机策略中开启“无人机优先配员”，"
              "可在每个驻勤点位保留一个地面单元后，优先为无人机配飞手",
        "en": "[policy.drones] crew_first = true would crew a drone before the ground units "
              "beyond one per home post"},
    "drone_clause_crew_first_set": {
        "zh": "已开启“无人机优先配员”，但无人机仍排在每个驻勤点位的第一个地面单元之后",
        "en": "[policy.drones] crew_first = true is set, and the drones still come after one "
              "ground unit at each home post"},
    # a plan stored before the sentence said why (drones.py at bd7eb2f)
    "drone_short_uncrewed": {
        "zh": "{n} 个力量薄弱的网格·时段因无人机无飞手（飞手不在岗，或地面力量抽不出飞手）"
              "未巡飞，权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown with no drone crewed (no pilot on "
              "duty, or none to spare from the ground units), weight {w}: {shown}"},
    "drone_short_hours": {
        "zh": "{n} 个力量薄弱的网格·时段在无人机飞行时段之外未巡飞，权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown outside the drones' flying hours, "
              "weight {w}: {shown}"},
    "drone_short_range": {
        "zh": "{n} 个力量薄弱的网格·时段超出在岗无人机航程（往返并悬停一次超过 {b} "
              "分钟）未巡飞，权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown out of range of the drones on duty "
              "(round trip with one hover beyond {b} min), weight {w}: {shown}"},
    "drone_short_time": {
        "zh": "{n} 个力量薄弱的网格·时段因在岗无人机剩余的值班及飞行时段不够往返一趟未巡飞，"
              "权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown with too little of the drones' time on "
              "duty and in flying hours left for a round trip, weight {w}: {shown}"},
    "drone_short_daily": {
        "zh": "{n} 个力量薄弱的网格·时段因在岗无人机当日 {m} 个架次均已飞完未巡飞，"
              "权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown after every drone on duty had flown "
              "its {m} sorties of the day, weight {w}: {shown}"},
    "drone_short_busy": {
        "zh": "{n} 个力量薄弱的网格·时段因在岗无人机正在巡飞或充电（先飞更薄弱的网格）"
              "未巡飞，权重 {w}：{shown}",
        "en": "{n} thin (grid, slot) cell(s) not flown while the drones on duty were airborne "
              "or recharging over weightier grids, weight {w}: {shown}"},
    "drone_short_none": {"zh": "{n} 个力量薄弱的网格·时段无无人机可飞",
                         "en": "{n} thin (grid, slot) cell(s) and no drone to fly them"},
    # the other stages' shortfall sentences (html.STAGE_SHORT_SAID: each key's English is the
    # sentence as the stage writes it, so that the English report says it unchanged)
    "drone_short_no_drones": {"zh": "辖区没有无人机（方式为 drone 的单元）：无巡飞",
                              "en": "the scenario has no drones (units of mode 'drone'): "
                                    "nothing flown"},
    # the auxiliary forces' placements (planning/auxiliary.py) and their shortfall sentences
    "auxiliary_heading": {"zh": "群防群治力量安排", "en": "Auxiliary forces on their streets"},
    "auxiliary_note": {
        "zh": "网格员、义警、商户联防和警保联动力量按其时段在责任部位值守：计入见警率（按权重），"
              "不参与接处警派遣。",
        "en": "Grid workers, volunteers, merchant joint-defence groups and security guards "
              "stand at their places in their hours: counted in visibility (by weight), never "
              "dispatched."},
    "auxiliary_none": {"zh": "本方案没有安排群防群治力量。",
                       "en": "The plan places no auxiliary force."},
    "aux_kind": {"zh": "类别", "en": "Kind"},
    "aux_hours": {"zh": "时段", "en": "Hours"},
    "aux_people": {"zh": "人数", "en": "People"},
    "aux_kind_grid": {"zh": "网格员", "en": "grid workers"},
    "aux_kind_volunteer": {"zh": "义警", "en": "volunteers"},
    "aux_kind_merchant": {"zh": "商户联防", "en": "merchant joint defence"},
    "aux_kind_guard": {"zh": "警保联动", "en": "security guards"},
    "aux_short_squad": {"zh": "群防群治单元 {units}：小队不属于 {kinds} 之一，未安排（全天不在岗）",
                        "en": "auxiliary unit(s) {units}: squad not one of {kinds}; not placed "
                              "(off all day)"},
    "aux_short_unstaffed": {
        "zh": "群防群治单元 {unit}：{dates} 无人可派（人员表中小队 {squad}、身份 {role} 且未休假的"
              "人员为零），当日未安排",
        "en": "auxiliary unit {unit}: nobody to staff it on {dates} (people.csv has no one of "
              "squad {squad} with role {role} who is not on leave); not placed then"},
    "aux_short_outside": {"zh": "群防群治力量值守点 {places} 位于所有防控网格之外：不计入任何网格的"
                                "见警率",
                          "en": "auxiliary place(s) {places} lie outside every grid: the units "
                                "there count in no grid's visibility"},
    "aux_short_no_post": {"zh": "群防群治单元 {unit}：驻勤点位 {post} 不在点位表（posts.csv）"
                                "中，未安排",
                          "en": "auxiliary unit {unit}: home post {post} is not a post; not "
                                "placed"},
    "drone_short_no_post": {"zh": "无人机 {drone}：驻勤点位 {post} 不在点位表（posts.csv）"
                                  "中，不起飞",
                            "en": "drone {drone}: home post {post} is not a post; it does not "
                                  "fly"},
    "routes_short_no_interval": {
        "zh": "重点部位 {site}：策略未给 {tier} 级规定巡查间隔（policy.revisit_minutes），"
              "未排入路线",
        "en": "site {site}: tier {tier} has no revisit interval in the policy "
              "(policy.revisit_minutes); it is not routed"},
    "routes_short_site_outside": {
        "zh": "重点部位 {site}（{tier} 级）不在任何网格内：没有网格路线经过（每 {m} 分钟巡查一次"
              "未能满足）",
        "en": "site {site} (tier {tier}) lies outside every grid: no grid route visits it "
              "(revisit every {m} min unmet)"},
    "routes_short_line_outside": {
        "zh": "必巡线 {line}：{n} 条路段不在任何网格内（前几段 {edges}），没有网格路线覆盖",
        "en": "line {line}: {n} edge(s) lie outside every grid (first {edges}); no grid route "
              "covers them"},
    "routes_short_line_nodes": {"zh": "必巡线 {line}：不足两个节点，无路可巡",
                                "en": "line {line}: fewer than two nodes, nothing to patrol"},
    "routes_short_undrivable": {
        "zh": "必巡线 {line}：网格 {grid} 内的一段无法以{mode}在网格内通行（{a} 至 {b}，两个方向"
              "都不行）",
        "en": "line {line}: its piece in grid {grid} cannot be driven by {mode} inside the grid "
              "(from {a} to {b}, either way)"},
    "routes_short_load_none": {
        "zh": "网格 {grid} 时段 {slot}：重点部位巡查与必巡线间隔无论安排多少单元都无法全部满足"
              "（工作量下界）；该处现有 {n} 个单元巡逻",
        "en": "grid {grid} slot {slot}: the revisit and line intervals need no number of units "
              "(load bound), {n} patrol there: no plan with these units meets them all"},
    "routes_short_load": {
        "zh": "网格 {grid} 时段 {slot}：重点部位巡查与必巡线间隔至少需要 {need} 个单元"
              "（工作量下界），该处只有 {n} 个单元巡逻，无法全部满足",
        "en": "grid {grid} slot {slot}: the revisit and line intervals need at least {need} units "
              "(load bound), {n} patrol there: no plan with these units meets them all"},
    "routes_short_unreached": {
        "zh": "单元 {unit}（{mode}）在第 {m} 分钟无法到达网格 {grid}：该段巡逻取消",
        "en": "unit {unit} ({mode}) cannot reach grid {grid} at minute {m}: the run is skipped"},
    "routes_short_site": {
        "zh": "重点部位 {site}（{tier} 级，网格 {grid}）：{what}，要求每 {req} 分钟巡查一次{why}",
        "en": "site {site} (tier {tier}, grid {grid}): {what}, required every {req} min{why}"},
    "routes_short_line": {
        "zh": "必巡线 {line} 在网格 {grid} 内的一段：{what}，要求每 {req} 分钟巡逻一次{why}",
        "en": "line {line} piece in grid {grid}: {what}, required every {req} min{why}"},
    "video_short_no_cameras": {"zh": "辖区没有摄像头点位：未安排视频巡查",
                               "en": "the scenario has no camera posts: no video patrol is "
                                     "planned"},
    "video_short_camera": {
        "zh": "摄像头 {camera}（1 级）：{what}，要求每 {req} 分钟查看一次",
        "en": "camera {camera} (tier 1): {what}, required every {req} min"},
    "video_short_idle": {"zh": "{n} 个时段无视频巡查员：{slots}",
                         "en": "no video operator in {n} slot(s): {slots}"},
    "video_short_rotation": {
        "zh": "{n} 个 1 级摄像头每 {every} 分钟查看一次、每次 {step} 分钟，每一步至少需要 {need} "
              "名巡查员（轮转 {period} 次查看）；{k} 个摄像头未排入轮转：{cams}",
        "en": "{n} tier-1 cameras every {every} min with {step}-minute views need at least "
              "{need} operator(s) at every step (a rotation of {period} views); {k} camera(s) "
              "left out of the rotation: {cams}"},
    # a tier-1 ring not held (html.POSTURE_SHORT_SAID; review P)
    "posture_short_staging": {"zh": "没有单元驻守在 {site} 的 1 级重点部位到达时限圈内：{ring_why}",
                              "en": "no unit stands within the tier-1 target of {site}: "
                                    "{ring_why}"},
    # an event's post short of units, and a grid short of what an event's level (and the
    # other presence needs) ask (html.POSTURE_SHORT_SAID, html.NEED_SAID; a review: the
    # Chinese report gave them in English)
    "posture_short_work": {"zh": "其重点部位的复巡间隔与必巡线的频次至少需要相当于 {car} 辆"
                                 "警车全时巡逻的工作量，按其 {m} 倍安排；"
                                 "在此巡逻的警力只提供 {given} 倍",
                           "en": "its key sites' revisit intervals and its lines' frequencies "
                                 "need at least the work of {car} police cars patrolling all "
                                 "the time, planned with {m}× that; the police patrolling "
                                 "there give {given}×"},
    "posture_short_hot": {"zh": "热点警情：需比计划多一个单元；在岗警力不足",
                          "en": "hot incident: one unit more than planned; not enough units "
                                "on duty"},
    "posture_short_joint": {"zh": "{sites} 联合巡逻：在岗警力不足",
                            "en": "joint patrol at {sites}: not enough units on duty"},
    "posture_short_fixed": {"zh": "无单元值守该岗位：{off_units}",
                            "en": "no unit holds the post: {off_units}"},
    # a fixed post's units off duty, each with why (html.SHORT_PART_SAID's off_units)
    "posture_off_unit": {"zh": "{unit}（{off_why}）", "en": "{unit} ({off_why})"},
    "list_sep": {"zh": "、", "en": ", "},
    # a checkpoint visit and a pin lost (planning/deploy/solve.py's lost(); they were English
    # on the zh report and dashboard)
    "posture_short_cp_off": {"zh": "卡点组 {unit} 不在岗（{off_why}）",
                             "en": "team {unit} is off duty ({off_why})"},
    "posture_short_cp_sworn": {"zh": "卡点组 {unit} 无民警（班组 {crew}），辅警不得单独盘查",
                               "en": "team {unit}: no sworn officer (民警) in its crew ({crew}): "
                                     "auxiliary officers may not stop and check (盘查) without "
                                     "one"},
    "posture_short_cp_busy": {"zh": "卡点组 {unit} 正在 {grid} 处警",
                              "en": "team {unit} is busy at an incident in {grid}"},
    "posture_short_cp_pinned": {"zh": "卡点组 {unit} 已指定部署到 {place}",
                                "en": "team {unit} is pinned to {place}"},
    "posture_short_pin_off": {"zh": "指定部署的单元 {unit} 不在岗（{off_why}）",
                              "en": "pinned unit {unit} is off duty ({off_why})"},
    "posture_short_pin_busy": {"zh": "指定部署的单元 {unit} 正在 {grid} 处警",
                               "en": "pinned unit {unit} is busy at an incident in {grid}"},
    "posture_short_event": {"zh": "活动“{event}”：所在巡防区在岗警力不足",
                            "en": "event {event}: not enough units on duty in its zone"},
    "short_event_level": {"zh": "活动“{event}”{level} 级勤务", "en": "event {event} level {level}"},
    "need_tier": {"zh": "重点部位巡查（每 {n} 个时段）", "en": "tier presence (every {n} slots)"},
    "need_line": {"zh": "必巡线巡查（每 {n} 个时段）", "en": "line presence (every {n} slots)"},
    "need_sep": {"zh": "；", "en": "; "},
    "posture_short_needs": {"zh": "{needs}：在岗警力不足",
                            "en": "{needs}: not enough units on duty"},
    "needs_zone_at_events": {"zh": "；本区 {n} 个单元被活动岗位占用（{events}）",
                             "en": "; {n} unit(s) of its zone are held at event posts "
                                   "({events})"},
    # posts stood at outside every grid (planning/deploy/solve.py's outside_grids; review P)
    "posture_outside_grids": {
        "zh": "{posts} 位于所有网格之外：在此设卡、值守、指定部署、活动驻守或驻地备勤的单元"
              "不计入任何网格的见警率",
        "en": "Post(s) {posts} lie outside every grid: the units standing there (checkpoints, "
              "fixed posts, pins, event posts, reserves) count in no grid's presence."},
    "ring_why_none": {"zh": "无汽车或摩托车在岗", "en": "no car or motorcycle is on duty"},
    "ring_why_unreachable": {
        "zh": "网格内没有道路节点在其 {m} 分钟圈内，巡逻单元无处驻守",
        "en": "no road node in a grid lies within the {m}-minute target of it, so no patrol "
              "can stand within it"},
    "ring_why_kept": {
        "zh": "方案把 {n} 辆汽车/摩托车留在网格巡逻，未派来驻守（部署权衡中见警巡逻优先于此圈）",
        "en": "the plan kept {n} car(s) or motorcycle(s) on grid patrol rather than standing "
              "within it (the posture weighed their patrol presence above the ring)"},
    "ring_why_taken": {
        "zh": "在岗汽车/摩托车均已占用：{held} 辆守其他部位的圈，{locked} 辆为指定部署或正在处警，"
              "{other} 辆在岗点、卡点或活动现场",
        "en": "every car or motorcycle on duty is taken: {held} hold other rings, {locked} are "
              "pinned or busy at an incident, {other} stand at posts, checkpoints or events"},
    "ring_why_events": {"zh": "；本区 {n} 辆汽车/摩托车被活动岗位占用（{events}）",
                        "en": "; {n} car(s) or motorcycle(s) of its zone are held at event "
                              "posts ({events})"},
    "ring_why_old": {"zh": "无可抽调的在岗汽车或摩托车驻守",
                     "en": "no car or motorcycle on duty could be spared to stand within it"},
    "short_never_visited": {"zh": "从未巡到", "en": "never visited"},
    "short_never_driven": {"zh": "从未巡经", "en": "never driven"},
    "short_never_watched": {"zh": "从未查看", "en": "never watched"},
    "short_longest": {"zh": "最长间隔 {m} 分钟", "en": "longest interval {m} min"},
    "short_why_unpatrolled": {"zh": "（{n} 个时段无警力单元巡逻该网格：{slots}）",
                              "en": " (no police unit patrols the grid in {n} slot(s): {slots})"},
    "short_why_unreached": {
        "zh": "（各次排线均无警力单元到达：不在其交通方式可走的网格街道上、超出步巡或平衡车的"
              "短程巡逻范围，或来不及在单元离开前巡完）",
        "en": " (no run brought a police unit to it: it is off the streets of their modes in "
              "the grid, beyond a foot or balance patrol's loop, or too long to finish before a "
              "unit leaves)"},
    "short_why_load": {
        "zh": "（工作量下界最紧时为 {need} 个单元、实有 {n} 个，不能证明无法满足{tour}{runs}）",
        "en": " (the load lower bound, {need} units for {n} at worst, does not prove it "
              "impossible{tour}{runs})"},
    "short_runs": {"zh": "；所用路线为按种子共排 {n} 次中整体最好的一次",
                   "en": "; the routes kept are the best of {n} seeded runs over the whole plan"},
    "short_tour_meets": {
        "zh": "；一个单元重复一条 {m} 分钟的环线（OR-Tools）即可满足全部间隔：启发式排线未找到",
        "en": "; one unit repeating a {m}-min tour (OR-Tools) would meet every interval: the "
              "heuristic missed it"},
    "short_tour_longer": {
        "zh": "；单个单元无法独自满足本网格的全部间隔：走遍网格全部巡查点的最短环线 {m} 分钟，"
              "长于其中最紧的 {every} 分钟间隔",
        "en": "; one unit alone cannot keep the grid's intervals: the shortest tour of all "
              "its places found, {m} min, is longer than its tightest interval, {every} min"},
    "note_route": {"zh": "在{grid}内按路线巡逻", "en": "route in grid {grid}"},
    "note_staging": {"zh": "在{place}屯警：守住{sites}的 {m} 分钟圈（出警间隙就近巡逻）",
                     "en": "staging {at}: holds the {m}-minute ring of {sites} "
                           "(patrols around it between calls)"},
    "note_sorties": {"zh": "无人机：{n} 架次，巡飞 {grids}，飞行 {m} 分钟",
                     "en": "drone: {n} sortie(s) over {grids}, {m} min airborne"},
    "note_standby": {"zh": "无人机在岗待命", "en": "drone: on standby at its post"},
    "note_fixed": {"zh": "固定岗位", "en": "fixed post"},
    "note_checkpoint": {"zh": "按卡点计划设卡", "en": "checkpoint schedule"},
    "note_between": {"zh": "卡点组两次设卡之间", "en": "checkpoint team between checkpoints"},
    "note_auxiliary": {"zh": "群防群治力量在岗", "en": "auxiliary force at its post"},
    "note_tour": {"zh": "第 {m} 分钟起轮巡监控", "en": "camera tour from minute {m}"},
    "note_tour_clock": {"zh": "{start}–{end} 轮巡监控", "en": "camera tour {start}–{end}"},
    # the posture's own notes (deploy/solve.py), said in the timeline's hover text
    "note_no_crew": {"zh": "无人在岗", "en": "no crew on duty"},
    "note_hours_off": {"zh": "值勤时间（{hours} 时）以外",
                       "en": "off outside its duty hours (units.csv hours {hours})"},
    "note_no_sworn": {"zh": "未设卡：班组（{crew}）无民警，辅警不得单独盘查",
                      "en": "checkpoint not manned: no sworn officer in its crew ({crew}): "
                            "auxiliary officers may not stop and check alone"},
    "note_no_skill": {"zh": "在岗人员无 {skill} 技能（{who} 空闲但不具备）",
                      "en": "no crew with the {skill} skill ({who} free, without it)"},
    "note_out_of_service": {"zh": "停用", "en": "out of service"},
    "note_busy": {"zh": "正在处警", "en": "busy at an incident"},
    "note_drone_ready": {"zh": "无人机在岗待命", "en": "drone ready at its post"},
    "note_auxiliary_site": {"zh": "群防群治力量在{site}值守", "en": "auxiliary force at {site}"},
    "note_auxiliary_off": {"zh": "群防群治力量：非值守时段",
                           "en": "auxiliary force: off outside its hours"},
    "note_auxiliary_streets": {"zh": "群防群治力量在责任街巷",
                               "en": "auxiliary force on its home streets"},
    "note_patrol_share": {"zh": "巡逻（风险占比 {share}）", "en": "patrol (risk share {share})"},
    "note_event": {"zh": "活动：{event}", "en": "event {event}"},
    "note_reserve": {"zh": "在驻地备勤", "en": "reserve at home post"},
    "note_pinned": {"zh": "指定部署", "en": "pinned"},
}


VALUES: dict[str, dict[Lang, str]] = {
    "mode:car": {"zh": "汽车", "en": "car"},
    "mode:motorcycle": {"zh": "摩托车", "en": "motorcycle"},
    "mode:balance": {"zh": "平衡车", "en": "balance vehicle"},
    "mode:foot": {"zh": "步巡", "en": "foot"},
    "mode:drone": {"zh": "无人机", "en": "drone"},
    # units.csv's squads as the built-in county and `scenario from-osm` name them (a review:
    # the Chinese report showed patrol/fixed/checkpoint in its 中队/小队 column)
    "squad:patrol": {"zh": "巡逻", "en": "patrol"},
    "squad:fixed": {"zh": "定点值守", "en": "fixed post"},
    "squad:checkpoint": {"zh": "设卡", "en": "checkpoint"},
    "squad:grid": {"zh": "网格", "en": "grid"},
    "squad:volunteer": {"zh": "义警", "en": "volunteer"},
    "squad:merchant": {"zh": "商户联防", "en": "merchant joint defence"},
    "squad:guard": {"zh": "保安", "en": "security guard"},
    "squad:armed": {"zh": "武警", "en": "armed police"},
    # sites.csv's kinds the planning rules know (deploy.inputs.CROWD_HOURS, auxiliary's
    # SITE_HOURS and DEFAULT_RULES) and from-osm's hot spots; a scenario's own are as written
    "site:residential": {"zh": "居民小区", "en": "residential"},
    "site:primary_school": {"zh": "小学", "en": "primary school"},
    "site:middle_school": {"zh": "中学", "en": "middle school"},
    "site:school": {"zh": "学校", "en": "school"},
    "site:kindergarten": {"zh": "幼儿园", "en": "kindergarten"},
    "site:bank": {"zh": "银行", "en": "bank"},
    "site:bus_station": {"zh": "客运站", "en": "bus station"},
    "site:business_street": {"zh": "商业街区", "en": "business street"},
    "site:enterprise": {"zh": "企业", "en": "enterprise"},
    "site:government": {"zh": "党政机关", "en": "government"},
    "site:hospital": {"zh": "医院", "en": "hospital"},
    "site:hotel": {"zh": "宾馆酒店", "en": "hotel"},
    "site:internet_cafe": {"zh": "网吧", "en": "internet café"},
    "site:market": {"zh": "农贸市场", "en": "market"},
    "site:night_market": {"zh": "夜市", "en": "night market"},
    "site:park": {"zh": "公园", "en": "park"},
    "site:petrol_station": {"zh": "加油站", "en": "petrol station"},
    "site:square": {"zh": "广场", "en": "square"},
    "site:supermarket": {"zh": "商场超市", "en": "supermarket"},
    "site:hot_spot": {"zh": "警情热点", "en": "hot spot"},
    # the roster's fairness measures (roster.solve's keys; Gini over the rotating people
    # unless said)
    # (review AT: the zh labels dropped that they are Gini coefficients, "夜班天数 0.767")
    "fairness:gini_nights": {"zh": "夜班天数的基尼系数", "en": "Gini of nights"},
    "fairness:gini_weekend_days": {"zh": "周末及节假日出勤天数的基尼系数",
                                   "en": "Gini of weekend and holiday days"},
    "fairness:gini_special_hours": {"zh": "加班工时的基尼系数",
                                    "en": "Gini of special-duty hours"},
    "fairness:gini_nights_per_available_day": {"zh": "夜班天数（按可出勤天数折算）的基尼系数",
                                               "en": "Gini of nights per available day"},
    "fairness:gini_weekend_days_per_available_day": {
        "zh": "周末及节假日出勤天数（按可出勤天数折算）的基尼系数",
        "en": "Gini of weekend and holiday days per available day"},
    "fairness:gini_special_hours_all": {"zh": "加班工时（全体人员，含不轮班者）的基尼系数",
                                        "en": "Gini of special-duty hours, everyone"},
    "fairness:max_special_hours": {"zh": "个人最多加班工时（小时，非基尼系数）",
                                   "en": "Most special-duty hours of one person (not a Gini)"},
    # the solvers' statuses: CP-SAT's (the roster) and the posture's (HiGHS, as deploy.solve
    # words it)
    "status:OPTIMAL": {"zh": "最优", "en": "optimal"},
    "status:FEASIBLE": {"zh": "可行（未证明最优）", "en": "feasible (not proven optimal)"},
    "status:optimal": {"zh": "最优", "en": "optimal"},
    "status:time_limit": {"zh": "达到求解时限（未证明最优）",
                          "en": "time limit reached (not proven optimal)"},
    # why a special duty was rostered (roster.rules' SurgeRule reasons; "event:NAME" and
    # "cover:RULE" keep their name)
    "reason:noon": {"zh": "午间加强", "en": "noon reinforcement"},
    "reason:evening": {"zh": "晚间加强", "en": "evening reinforcement"},
    "reason:risk": {"zh": "风险时段加强", "en": "risk hours"},
    "reason:risk-peak": {"zh": "风险高峰加强", "en": "risk peak"},
    "reason:weekend": {"zh": "周末", "en": "weekend"},
    "reason:holiday": {"zh": "节假日", "en": "holiday"},
    "reason:night-checkpoint": {"zh": "夜间卡点", "en": "night checkpoint"},
    "reason:event": {"zh": "活动：", "en": "event "},
    "reason:cover": {"zh": "补足配置：", "en": "staffing "},
    # a plan's roster: the night shift of the day before, on duty in the first hours (review P)
    "reason:from the day before": {"zh": "前一日夜班（延续至首日凌晨）",
                                   "en": "from the day before"},
    "role:police": {"zh": "民警", "en": "police officer"},
    "role:auxiliary": {"zh": "辅警", "en": "auxiliary officer"},
    "role:grid_worker": {"zh": "网格员", "en": "grid worker"},
    "role:volunteer": {"zh": "义警", "en": "volunteer"},
    "role:merchant": {"zh": "商户联防", "en": "merchant joint defence"},
    "role:guard": {"zh": "保安", "en": "security guard"},
    "role:armed_police": {"zh": "武警", "en": "armed police"},
}


def value_label(kind: str, value: str, lang: Lang) -> str:
    """A display name for a data value (a mode, a role, a squad, a site's kind, a fairness
    measure, a solver's status, a special duty's reason); unknown values (a scenario's own
    kinds) are shown as written."""
    entry = VALUES.get(f"{kind}:{value}")
    return entry[lang] if entry else value


def team_name(team: str, lang: Lang) -> str:
    """A roster team as the report heads it: the day team (roster's ``day``) as 常白班组 / day
    team (a review: the Chinese roster table headed it "day"), a rotating team (A, B…) as
    written."""
    return t("team_day", lang) if team == "day" else team


def t(key: str, lang: Lang, **kw: object) -> str:
    """The text of ``key`` in ``lang``; a missing key is a bug and raises ``KeyError``."""
    return TEXT[key][lang].format(**kw)


#: roster.xlsx's sheets and headers in Chinese (planning.roster.write_xlsx's ``words``; its
#: English names are the keys): review AR found a Chinese plan's workbook all English
ROSTER_XLSX_ZH: dict[str, str] = {
    "sheet:roster": "排班表", "sheet:staff per hour": "每小时在岗",
    "sheet:hours per person": "人员工时", "sheet:calendar": "日历", "sheet:fairness": "公平性",
    "column:date": "日期", "column:person": "人员", "column:team": "班组",
    "column:shift": "班次", "column:start": "开始", "column:end": "结束", "column:role": "身份",
    "column:squad": "中队/小队", "column:kind": "类型", "column:reason": "原因",
    "column:hours": "工时", "column:start_utc_offset": "开始时区偏移",
    "column:end_utc_offset": "结束时区偏移", "column:slot": "时段", "column:all": "全部在岗",
    "column:skill": "技能", "column:special demand": "加班需求", "column:unmet": "缺口",
    "column:on duty": "在岗人员", "column:rotating": "轮班",
    "column:regular_hours": "正常班工时", "column:special_hours": "加班工时",
    "column:total_hours": "总工时", "column:regular_hours_per_week": "每周正常班工时",
    "column:total_hours_per_week": "每周总工时", "column:special_duties": "加班勤务次数",
    "column:nights": "夜班天数", "column:weekend_days": "周末出勤天数",
    "column:holiday_days": "节假日出勤天数", "column:leave_days": "请假天数",
    "column:holiday": "节日", "column:makeup": "调休上班", "column:events": "活动",
    "column:measure": "指标", "column:value": "数值",
    "shift:special": "加班", "kind:regular": "正常班", "kind:special": "加班勤务",
    "team:day": "常白班组",
    # the skills of staff per hour's columns (review AT: they read "技能 armed")
    "skill:armed": "持枪", "skill:driver": "驾驶员", "skill:drone_pilot": "无人机飞手",
    "skill:leader": "带班", "skill:team_leader": "组长", "skill:motorcycle": "摩托车驾驶",
    "skill:first_aid": "急救",
    "solver:status": "求解状态", "solver:build_seconds": "建模用时（秒）",
    "solver:objective": "目标值", "solver:bound": "目标下界", "solver:gap": "最优性差距",
    "solver:wall_seconds": "求解用时（秒）",
    "solver:first_solution_seconds": "首个可行解用时（秒）",
    "solver:within_1pct_seconds": "达到 1% 差距用时（秒）", "solver:n_variables": "变量数",
    "solver:n_candidates": "候选班次数", "solver:num_workers": "并行线程数",
}


#: a skill's name (``skill:NAME``) as said in the report's text too: a crew's missing skill
#: (planning/deploy/inputs.py: "no crew with the motorcycle skill: …") read in English on zh
TEXT.update({k: {"zh": v, "en": k.removeprefix("skill:")}
             for k, v in ROSTER_XLSX_ZH.items() if k.startswith("skill:")})


#: review HR: what the plan leaves undone (checkpoint slots no team can man, units on duty with
#: no named crew), a re-plan's report said as one, the overview's teams by name
TEXT.update({
    "team_rotating": {"zh": "{team} 班（轮班）", "en": "team {team} (rotating)"},
    "cp_unmanned_heading": {"zh": "未能设卡的时段", "en": "Checkpoint slots left unmanned"},
    "cp_unmanned_note": {
        "zh": "共 {n} 个卡点组·时段无法设卡，排程未在这些时段安排盘查，这些班组在驻地备勤"
              "（值勤时间以外的则休息）：",
        "en": "{n} team-slot(s) cannot check: the schedule sets no check there, and those "
              "teams stand by at their home post (or are off, outside their duty hours):"},
    "cp_unmanned_item": {"zh": "{unit} {when}（{n} 个时段）：{why}",
                         "en": "{unit} {when} ({n} slot(s)): {why}"},
    "checkpoints_skipped_unmanned": {
        "zh": "本方案没有设卡排程：没有哪个卡点组能在任何时段设卡——{why}。",
        "en": "This plan has no checkpoint schedule: no checkpoint team can check in any "
              "slot — {why}."},
    "checkpoints_skipped_no_team": {
        "zh": "本方案没有设卡排程：units.csv 中没有“checkpoint”小队的单元。",
        "en": "This plan has no checkpoint schedule: units.csv has no unit of the "
              "'checkpoint' squad."},
    "cp_unmanned_sworn": {"zh": "班组（{crew}）无民警带队，辅警不得单独盘查",
                          "en": "no sworn officer (民警) to lead its crew ({crew}): auxiliary "
                                "officers may not stop and check alone"},
    "cp_unmanned_sworn_off": {"zh": "；排班中的民警（{sworn}）不在岗或另有勤务",
                              "en": "; the roster's sworn officers ({sworn}) are off duty or "
                                    "busy"},
    "unnamed_heading": {"zh": "未列明人员的在岗单元", "en": "Units on duty with no named crew"},
    "unnamed_note": {
        "zh": "以下单元在方案各时段（或 units.csv 为其规定的值勤时间内）在岗，但本方案未列出其"
              "车组人员（方案表“人员”一栏为空），请由其所属单位按值班表配员：",
        "en": "These units are on duty in every hour of the plan (or in the hours units.csv "
              "gives them), but this plan names no people of their crews (the plan sheet's "
              "crew column is empty): their own units crew them by their duty lists:"},
    "unnamed_every_hour": {"zh": "各时段在岗", "en": "on duty in every hour"},
    "unnamed_in_hours": {"zh": "在其值勤时间（{hours} 时）在岗",
                         "en": "on duty in its hours {hours} (units.csv hours)"},
    "unnamed_units": {"zh": "单元", "en": "Units"},
    "own_load_note": {
        "zh": "这些单元按方案在岗所需的工时（每车组按最少配员计：汽车 2 人，其余 1 人），由其本单位"
              "值班表上的人员分担：",
        "en": "The hours these units are on duty in the plan ask of the people of their own "
              "duty lists (each crew at its minimum: 2 in a car, 1 otherwise):"},
    "own_load_people": {"zh": "人员数", "en": "People"},
    "own_load_a_day": {"zh": "每日工时（至少）", "en": "Crew-hours a day (at least)"},
    "own_load_each": {"zh": "每人每周工时", "en": "Hours a week each"},
    "own_load_of": {"zh": "{each}（上限 {most}）", "en": "{each} (most {most})"},
    "own_load_over": {"zh": "超出人员所能承担", "en": "more than its people can work"},
    "own_load_at_once": {"zh": "同时最多需要", "en": "Most at once"},
    "own_rota_short_head": {"zh": "排班缺口（人·时）", "en": "Rota short (person-hours)"},
    "own_rota_short": {"zh": "每周 {week}（本方案期内 {here}）",
                       "en": "{week} a week ({here} in this plan)"},
    "own_rota_lead_short": {"zh": "无民警带班：每周 {week}（本方案期内 {here}）",
                            "en": "no sworn officer on: {week} h a week ({here} in this plan)"},
    "own_rota_sworn": {"zh": "{person}（民警）", "en": "{person} (police officer)"},
    "own_rota_covered": {"zh": "无", "en": "none"},
    "own_rota_note": {
        "zh": "本单位值班表排班（谁上哪个班次）：按排班的劳动规则——两班之间至少休息 {rest} 小时、"
              "夜班后次日不上早班、连续上班不超过 {days} 天、任意 7 天不超过 {hours} 小时、休假日"
              "不排班；派出所单元在岗的每个小时至少有 1 名民警带班（辅警不得单独执法）。"
              "方案不足一周时按“逐周重复的一周”排班。班次按开始日期列出；标红的日期有时段人手不足或无民警带班。"
              "明细见 own_rota.csv。",
        "en": "Who of each own duty list works which shift, under the roster's labour rules: "
              "at least {rest} h rest between shifts, no early shift after a night, at most "
              "{days} days in a row and {hours} h in any 7 days, no shift on leave; a sworn "
              "officer (民警) on in every hour a police unit is on duty (auxiliary officers may "
              "not enforce the law alone). A plan shorter than a week is rota'd as a week that "
              "repeats. Shifts are listed by the day they start; a marked day has hours short "
              "of people or of a sworn officer. own_rota.csv lists them."},
    "own_rota_person": {"zh": "人员", "en": "Person"},
    "own_rota_week": {"zh": "周工时", "en": "Hours a week"},
    "unnamed_why": {"zh": "原因", "en": "Why"},
    "unnamed_own_list": {
        "zh": "按本单位值班表配员：people.csv 为其列有 {n} 人（{people}；班组 {team}），"
              "本方案排班（班组 {teams}）不含这些人员；该单元{when}，但未列明人员",
        "en": "crewed by its own duty list: people.csv names {n} people for it ({people}; "
              "team {team}), whom this plan's roster (teams {teams}) does not rota: {when}, "
              "its crew not named"},
    "unnamed_no_one": {
        "zh": "people.csv 中无人可为其配员（中队 {squad}，等级 {tier}）；该单元{when}，但无人可派",
        "en": "no one in people.csv can crew it (squad {squad}, tier {tier}): {when} with "
              "no crew"},
    "replan_title": {"zh": "调整方案（动态调整）", "en": "Re-plan (dynamic adjustment)"},
    "replan_of": {
        "zh": "本方案是对方案 {plan}（输入数据哈希 {hash}）的调整：自 {at} 起重新部署，"
              "此前各时段保持原方案不变。",
        "en": "This plan re-plans {plan} (inputs {hash}): from {at} on the posture is planned "
              "again; the slots before are the plan in force's, unchanged."},
    "replan_made": {"zh": "调整生成于 {made}。", "en": "Re-planned at {made}."},
    "replan_asks": {"zh": "调整原因：{asks}", "en": "Re-planned for: {asks}"},
    "replan_nothing": {"zh": "无新情况", "en": "nothing new"},
    "replan_forced": {"zh": "（原方案之后辖区文件已变更，强制调整）",
                      "en": " (forced: the scenario's files changed since the plan)"},
    "replan_busy": {"zh": "{unit} 在 {grid} 处置警情至 {until}",
                    "en": "{unit} held at an incident in {grid} until {until}"},
    "replan_out": {"zh": "{unit} 自 {at} 停止勤务", "en": "{unit} out of service from {at}"},
    "replan_out_before": {"zh": "{unit} 自 {at} 仍停止勤务（前次调整）",
                          "en": "{unit} still out of service from {at} (an earlier re-plan)"},
    "replan_back": {"zh": "{unit} 恢复勤务", "en": "{unit} back in service"},
    "replan_hot": {"zh": "{grid} 新热点 {span}（风险占比增加 {share}）",
                   "en": "new hot place in {grid} {span} (risk share +{share})"},
    "replan_changes": {
        "zh": "共调整 {n} 项：单元时段 {a} 项，无人机架次 {s} 项，视频轮巡 {v} 项"
              "（逐项见 changes.csv）。",
        "en": "{n} change(s): {a} unit-slot(s), {s} drone sortie(s), {v} camera tour(s) "
              "(changes.csv lists each)."},
    "replan_short": {
        "zh": "部署缺口：新增 {added} 项、消除 {resolved} 项；巡逻路线缺口：新增 {r_added} 项、"
              "消除 {r_resolved} 项。",
        "en": "Posture shortfalls: {added} new, {resolved} resolved; route shortfalls: "
              "{r_added} new, {r_resolved} resolved."},
    "replan_kept": {
        "zh": "排班与设卡排程沿用原方案（调整不重新排班、不重新设卡）：下方标注“沿用原方案”的 "
              "{n} 节取自原方案报告 {path}。",
        "en": "The roster and the checkpoint schedule are the plan in force's (a re-plan "
              "plans neither again): the {n} section(s) below marked so are its report's, "
              "{path}."},
    "replan_kept_none": {
        "zh": "排班与设卡排程沿用原方案（调整不重新排班、不重新设卡），见原方案报告 {path}。",
        "en": "The roster and the checkpoint schedule are the plan in force's (a re-plan "
              "plans neither again): see its report, {path}."},
    "replan_section_kept": {"zh": "沿用原方案，本次调整未改变。",
                            "en": "The plan in force's, unchanged by the re-plan."},
    "replan_section_cp_lost": {"zh": "其中调整后无法执行的设卡见页首。",
                               "en": "The checks the re-plan leaves unmanned are listed at the "
                                     "top."},
    "replan_cp_lost": {
        "zh": "调整后原排程中 {n} 次设卡无法执行（班组处置警情或停勤）：{checks}。",
        "en": "After the re-plan {n} scheduled check(s) are not manned (the team is busy or "
              "out of service): {checks}."},
    "replan_cp_item": {"zh": "{when} {site}（{unit}）", "en": "{when} {site} ({unit})"},
})


def roster_words(lang: Lang) -> dict[str, str] | None:
    """The words roster.xlsx is written in (planning.roster.write_xlsx's ``words``): None in
    English (its own names), else its sheets, headers and values (shifts, kinds, reasons,
    roles, squads, day kinds, fairness measures, the solver's status, yes/no) in ``lang``."""
    if lang == "en":
        return None
    out = dict(ROSTER_XLSX_ZH)
    for key, said in TEXT.items():
        for head, kind in (("shift_", "shift"), ("day_", "day")):
            if key.startswith(head) and key != "day_kind":
                out[f"{kind}:{key.removeprefix(head)}"] = said[lang]
    for key, said in VALUES.items():
        if key.split(":", 1)[0] in ("role", "squad", "reason", "fairness", "status"):
            out[key] = said[lang]  # "event:NAME" reads 活动：NAME
    out["bool:True"], out["bool:False"] = t("yes", lang), t("no", lang)
    return out
