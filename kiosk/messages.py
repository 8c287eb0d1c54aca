"""The one message catalog: every text a user reads, in Simplified Chinese and English.

Keys are stable identifiers; `{name}` placeholders are filled by `text()`. Add new keys
in the section of the part that uses them. A test checks both languages have every key
and the same placeholders.
"""
from __future__ import annotations

import datetime as dt
import string
import unicodedata
from typing import Any

LANGUAGES = ("zh-CN", "en")

CATALOG: dict[str, dict[str, str]] = {
    # --- general -------------------------------------------------------------------------
    "error.prefix": {"zh-CN": "错误：{text}", "en": "Error: {text}"},
    "warning.prefix": {"zh-CN": "注意：{text}", "en": "Warning: {text}"},
    "error.unexpected": {
        "zh-CN": "发生内部错误（{detail}），未做任何更改。请联系考点技术人员。",
        "en": "Internal error ({detail}); nothing was changed. Please call the site's technician.",
    },
    "error.interrupted": {
        "zh-CN": "已中断：中断的操作不会留下做了一半的改动。请用 kiosk status 查看后再重新运行。",
        "en": "Interrupted: an interrupted operation leaves nothing half done. Check with "
              "`kiosk status`, then run it again.",
    },
    # separators of lists in a sentence: of names or short items (、), of clauses that
    # have their own commas or brackets (；)
    "list.names": {"zh-CN": "、", "en": ", "},
    "list.clauses": {"zh-CN": "；", "en": "; "},
    "help.config": {
        "zh-CN": "要使用的 kiosk.toml（默认：$KIOSK_CONFIG，否则 ./kiosk.toml）",
        "en": "kiosk.toml to use (default: $KIOSK_CONFIG or ./kiosk.toml)",
    },
    "help.kiosk": {
        "zh-CN": "医师资格考试现场确认 kiosk。不带命令时启动终端界面。",
        "en": "The on-site confirmation kiosk of the medical licensing exam. Without a "
              "command: the terminal UI.",
    },
    "help.ui_demo": {
        "zh-CN": "以内置演示摄像头、演示名单和单独的数据库启动终端界面",
        "en": "the UI with the built-in demo camera, demo roster, own database",
    },
    "help.slip": {
        "zh-CN": "生成考生的签名回执：保存为文件或打印",
        "en": "make a candidate's signed receipt: save it or print it",
    },
    "help.slip_output": {
        "zh-CN": "保存到 FILE（须以 .png 或 .pdf 结尾）",
        "en": "save to FILE (ending in .png or .pdf)",
    },
    "help.slip_print": {
        "zh-CN": "用 [printer] 配置的打印方式打印（回执也保存在 slips/ 中）",
        "en": "print with the [printer] backend (the slip is kept in slips/ too)",
    },
    "help.slip_layout": {
        "zh-CN": "纸张版式（默认：[receipt] layout）",
        "en": "paper layout (default: [receipt] layout)",
    },
    "help.verify": {
        "zh-CN": "核验回执二维码；退出码：0 有效，1 无效，2 无法读取",
        "en": "check a receipt's QR; exit code 0 valid, 1 invalid, 2 unreadable",
    },
    "help.verify_file": {
        "zh-CN": "回执的照片、扫描件、PNG 或 PDF",
        "en": "a photo, scan, PNG or PDF",
    },
    "help.verify_payload": {
        "zh-CN": "二维码的文本本身",
        "en": "the QR code's text itself",
    },
    "help.keys": {
        "zh-CN": "本机的签名密钥",
        "en": "the kiosk's signing key",
    },
    "help.keys_export": {
        "zh-CN": "输出公钥（供其他设备的 [receipt] trusted_keys 使用）",
        "en": "print the public key (for [receipt] trusted_keys elsewhere)",
    },
    "help.init": {
        "zh-CN": "创建数据库和签名密钥",
        "en": "create the database and signing key",
    },
    "help.init_demo": {
        "zh-CN": "同时载入演示考生名单",
        "en": "also load the demo roster",
    },
    "help.roster": {
        "zh-CN": "考生名单",
        "en": "the candidate roster",
    },
    "help.roster_import": {
        "zh-CN": "导入考生名单 CSV 文件",
        "en": "import a roster CSV",
    },
    "help.materials": {
        "zh-CN": "材料目录",
        "en": "the material catalog",
    },
    "help.capture": {
        "zh-CN": "从图片文件保存材料照片（经过与摄像头相同的处理）",
        "en": "store images from files (the same processing as the camera's)",
    },
    "help.delete": {
        "zh-CN": "删除一张未锁定的照片",
        "en": "delete one unlocked image",
    },
    "help.delete_index": {
        "zh-CN": "从 1 开始，与 status 显示的序号一致",
        "en": "counts from 1, as status shows",
    },
    "help.submit": {
        "zh-CN": "上报并锁定考生的材料",
        "en": "lock the candidate's materials",
    },
    "help.review": {
        "zh-CN": "考点审核：通过、退回或不符合报考条件",
        "en": "site review of a submission",
    },
    "help.status": {
        "zh-CN": "考生及其材料的状态",
        "en": "candidates and their materials",
    },
    "help.audit": {
        "zh-CN": "审计日志",
        "en": "the audit log",
    },
    "help.audit_verify": {
        "zh-CN": "核验审计日志的哈希链",
        "en": "check the hash chain",
    },
    "help.review_material": {
        "zh-CN": "与 --return 一起用：需重新提交的材料，可附单独的意见（可重复）；其余材料保持 ✓ 锁定",
        "en": "with --return: a material to redo, optionally with its own comment "
              "(repeatable); the others keep a ✓ lock",
    },
    "help.review_approve": {
        "zh-CN": "通过：全部照片以 ✓ 锁定",
        "en": "approve: every image locked with ✓",
    },
    "help.review_return": {
        "zh-CN": "退回并解锁材料，COMMENT 为审核意见",
        "en": "return and unlock the materials, with COMMENT for the candidate",
    },
    "help.review_ineligible": {
        "zh-CN": "不符合报考条件，REASON 为原因",
        "en": "not eligible, for REASON",
    },
    "help.material_code": {
        "zh-CN": "材料代码（见 kiosk materials）",
        "en": "a material code (see kiosk materials)",
    },
    "help.capture_files": {
        "zh-CN": "图片文件，每个文件保存为一张照片",
        "en": "image files, each stored as one image",
    },
    "help.json": {
        "zh-CN": "以 JSON 输出（供程序读取）",
        "en": "print JSON (for programs)",
    },
    "help.status_reg_no": {
        "zh-CN": "只看这名考生（含各张照片）",
        "en": "this candidate only, with every image",
    },
    "help.reg_no": {
        "zh-CN": "考生的报名号",
        "en": "the candidate's registration number",
    },
    "help.roster_file": {
        "zh-CN": "考生名单 CSV 文件（UTF-8 或 GB18030）",
        "en": "the roster CSV file (UTF-8 or GB18030)",
    },
    "help.usage_prefix": {
        "zh-CN": "用法：",
        "en": "usage: ",
    },
    "help.positionals": {
        "zh-CN": "参数",
        "en": "positional arguments",
    },
    "help.options": {
        "zh-CN": "选项",
        "en": "options",
    },
    "help.help": {
        "zh-CN": "显示本帮助并退出",
        "en": "show this help message and exit",
    },
    "usage.bad": {
        "zh-CN": "命令用法不对：{detail}。运行 {prog} --help 查看用法。",
        "en": "Wrong usage: {detail}. Run {prog} --help for how to use it.",
    },
    "usage.required": {"zh-CN": "缺少 {args}", "en": "{args} missing"},
    "usage.one_of": {"zh-CN": "须给出 {args} 之一", "en": "one of {args} is needed"},
    "usage.not_allowed": {"zh-CN": "{arg} 不能与 {other} 同时使用",
                          "en": "{arg} cannot be used with {other}"},
    "usage.invalid_value": {"zh-CN": "{arg} 的值“{value}”无效", "en": "{arg}: “{value}” is not valid"},
    "usage.invalid_value.int": {"zh-CN": "{arg} 须为整数（收到“{value}”）",
                                "en": "{arg} takes a whole number, not “{value}”"},
    "usage.invalid_value.float": {"zh-CN": "{arg} 须为数字（收到“{value}”）",
                                  "en": "{arg} takes a number, not “{value}”"},
    "usage.no_value_taken": {"zh-CN": "{arg} 不带值（收到“{value}”）",
                             "en": "{arg} takes no value, not “{value}”"},
    "usage.invalid_choice": {"zh-CN": "{arg} 没有“{value}”这一项（可选：{choices}）",
                             "en": "{arg} has no “{value}” (choose from {choices})"},
    "usage.expected": {"zh-CN": "{arg} 后面缺少值", "en": "{arg} needs a value"},
    "usage.unrecognized": {"zh-CN": "无法识别的参数：{args}", "en": "unrecognised arguments: {args}"},
    "usage.ambiguous": {"zh-CN": "{arg} 可指 {choices}，请写全",
                        "en": "{arg} could mean {choices}; write it out"},
    "usage.demo_with_command": {
        "zh-CN": "--demo 只用于启动终端界面（示例数据库）；命令行命令使用 kiosk.toml 配置的数据库。"
                 "要在其中载入示例考生，请运行 kiosk init --demo。",
        "en": "--demo only starts the terminal UI (on the demo database); commands use the "
              "database kiosk.toml configures. To load the demo candidates there, run "
              "kiosk init --demo.",
    },
    "ui.pending": {
        "zh-CN": "终端界面尚在开发中；当前可用命令行操作（kiosk --help）。本机状态：",
        "en": "The terminal UI is not available yet; use the command line (kiosk --help). "
        "This kiosk's state:",
    },
    # --- configuration -------------------------------------------------------------------
    "config.missing": {
        "zh-CN": "找不到配置文件 {path}。请用 --config 指定，或设置环境变量 KIOSK_CONFIG。",
        "en": "Configuration file {path} not found. Pass --config or set KIOSK_CONFIG.",
    },
    "config.unreadable": {
        "zh-CN": "配置文件 {path} 无法读取：{detail}",
        "en": "Cannot read configuration file {path}: {detail}",
    },
    "config.syntax_at": {
        "zh-CN": "配置文件 {path} 第 {line} 行第 {column} 列附近格式错误：请检查该处的引号、方括号、"
                 "等号，以及同一个键是否写了两次",
        "en": "Configuration file {path} is not valid TOML near line {line}, column {column}: "
              "check the quotes, brackets and = signs there, and that no key is written twice",
    },
    "config.syntax": {
        "zh-CN": "配置文件 {path} 格式错误：{detail}",
        "en": "Configuration file {path} is not valid TOML: {detail}",
    },
    "config.invalid": {
        "zh-CN": "配置文件 {path} 中 {key} = {value} 不正确：{allowed}",
        "en": "In {path}, {key} = {value} is not valid: {allowed}",
    },
    "config.unknown_key": {
        "zh-CN": "配置文件 {path} 中有未知的配置项 {key}（值 {value}）。允许的配置项：{allowed}",
        "en": "Unknown key {key} (value {value}) in {path}. Allowed keys: {allowed}",
    },
    "config.allowed.literal_error": {"zh-CN": "可选值为 {expected}", "en": "allowed: {expected}"},
    "config.allowed.string_pattern_mismatch": {
        "zh-CN": "格式不符（须匹配 {pattern}）", "en": "must match {pattern}"},
    "config.allowed.string_type": {"zh-CN": "须为带引号的文字", "en": "must be quoted text"},
    "config.allowed.bool_type": {"zh-CN": "须为 true 或 false", "en": "must be true or false"},
    "config.allowed.bool_parsing": {"zh-CN": "须为 true 或 false", "en": "must be true or false"},
    "config.allowed.int_type": {"zh-CN": "须为整数", "en": "must be a whole number"},
    "config.allowed.int_parsing": {"zh-CN": "须为整数", "en": "must be a whole number"},
    "config.allowed.float_type": {"zh-CN": "须为数字", "en": "must be a number"},
    "config.allowed.float_parsing": {"zh-CN": "须为数字", "en": "must be a number"},
    "config.allowed.greater_than_equal": {"zh-CN": "须不小于 {ge}", "en": "must be at least {ge}"},
    "config.allowed.less_than_equal": {"zh-CN": "须不大于 {le}", "en": "must be at most {le}"},
    "config.allowed.greater_than": {"zh-CN": "须大于 {gt}", "en": "must be more than {gt}"},
    "config.allowed.less_than": {"zh-CN": "须小于 {lt}", "en": "must be less than {lt}"},
    "config.allowed.string_too_long": {
        "zh-CN": "最多 {max_length} 个字符", "en": "at most {max_length} characters"},
    "config.allowed.string_too_short": {
        "zh-CN": "至少 {min_length} 个字符", "en": "at least {min_length} characters"},
    "config.allowed.list_type": {"zh-CN": "须为列表 [ … ]", "en": "must be a list [ … ]"},
    "config.allowed.dict_type": {"zh-CN": "须为表 [section]", "en": "must be a table"},
    "config.allowed.model_type": {"zh-CN": "须为表 [section]", "en": "must be a table"},
    "config.allowed.missing": {"zh-CN": "必须填写", "en": "is required"},
    "config.allowed.public_key": {
        "zh-CN": "须为 kiosk keys export 输出的公钥（ed25519: 加 43 个字符）",
        "en": "must be a key as `kiosk keys export` prints it (ed25519: and 43 characters)"},
    "config.allowed.not_below_min": {"zh-CN": "须不小于 min（{min}）",
                                     "en": "must be at least min ({min})"},
    "config.pattern.site_code": {"zh-CN": "须为 6 位数字", "en": "must be 6 digits"},
    "config.pattern.kiosk_id": {"zh-CN": "须为 1–16 个字母、数字、- 或 _",
                                "en": "must be 1–16 letters, digits, - or _"},
    "config.pattern.url": {"zh-CN": "须为 http:// 或 https:// 开头的网址",
                           "en": "must be an http:// or https:// URL"},
    "config.pattern.code": {"zh-CN": "须为小写字母开头的小写字母、数字或 _（最多 32 个）",
                            "en": "must be lowercase letters, digits or _, starting with a "
                                  "letter (at most 32)"},
    "config.pattern.printer_name": {"zh-CN": "不能含空格、/ 或 #",
                                    "en": "must have no spaces, / or #"},
    "config.allowed.escpos_usb": {
        "zh-CN": "escpos 打印机用 usb 连接时须填写 usb_vendor_id 与 usb_product_id（lsusb 可查）",
        "en": "an escpos printer on usb needs usb_vendor_id and usb_product_id (see lsusb)"},
    "config.allowed.escpos_host": {
        "zh-CN": "escpos 打印机用 network 连接时须填写打印机的主机名或 IP",
        "en": "an escpos printer on the network needs the printer's host name or IP"},
    "config.allowed.unique": {"zh-CN": "每个代码只能出现一次", "en": "each code only once"},
    "config.allowed.below": {"zh-CN": "须小于 {other}", "en": "below {other}"},
    # --- database ------------------------------------------------------------------------
    "db.missing": {
        "zh-CN": "数据库 {path} 不存在。请先运行 kiosk init。",
        "en": "Database {path} does not exist. Run `kiosk init` first.",
    },
    "db.missing_no_config": {
        "zh-CN": "数据库 {path} 不存在，且未找到配置文件 {config}。如本机的 kiosk.toml 在别处，"
                 "请用 --config 指明或到其所在目录运行；新装的设备请先运行 kiosk init。",
        "en": "Database {path} does not exist, and there is no configuration file {config}. "
              "If this kiosk's kiosk.toml is elsewhere, name it with --config or run from its "
              "folder; on a new kiosk run `kiosk init` first.",
    },
    "db.newer": {
        "zh-CN": "数据库 {path} 的版本（{found}）比本程序（{known}）新，请升级程序。",
        "en": "Database {path} has schema version {found}, newer than this program's {known}.",
    },
    "db.busy": {
        "zh-CN": "数据库正忙，请稍后重试。",
        "en": "The database is busy; try again in a moment.",
    },
    "db.refused": {
        "zh-CN": "数据库拒绝了此操作：{detail}",
        "en": "The database refused this change: {detail}",
    },
    "db.not_a_database": {
        "zh-CN": "{path} 不是有效的数据库文件。",
        "en": "{path} is not a valid database file.",
    },
    "init.done": {
        "zh-CN": "已创建数据库 {path}。",
        "en": "Database {path} is ready.",
    },
    "init.existed": {
        "zh-CN": "数据库 {path} 已存在，未重建，其中的数据都在。",
        "en": "Database {path} exists already; it was not created again and its data is all "
              "there.",
    },
    "init.new_key": {
        "zh-CN": "本机签名密钥不存在，已新建 {path}：此前打印的回执在其他设备上须信任原来的公钥才能"
                 "核验；如原密钥文件有备份，请放回原处后再运行 kiosk init。",
        "en": "The kiosk's signing key was missing; a new one is {path}. Receipts printed "
              "before verify elsewhere only with the old public key trusted; if the old key "
              "file is backed up, put it back and run `kiosk init` again.",
    },
    "init.no_config": {
        "zh-CN": "未找到配置文件 {config}，使用默认设置。如本机的 kiosk.toml 在别处，"
                 "请用 --config 指明，或到其所在目录运行。",
        "en": "No configuration file {config}; the defaults apply. If this kiosk's "
              "kiosk.toml is elsewhere, name it with --config or run from its folder.",
    },
    "init.demo": {
        "zh-CN": "已载入演示考生 {count} 名。",
        "en": "Loaded {count} demo candidates.",
    },
    # --- validation ----------------------------------------------------------------------
    "id.empty": {"zh-CN": "证件号码为空", "en": "the ID number is empty"},
    "id.length": {
        "zh-CN": "{type}号码应为 {expected} 位，实为 {actual} 位",
        "en": "a {type} number has {expected} characters, this one has {actual}",
    },
    "id.chars": {
        "zh-CN": "{type}号码含有不允许的字符（须为半角字母或数字，不含空格）",
        "en": "the {type} number contains characters that are not allowed "
        "(half-width letters and digits only, no spaces)",
    },
    "id.birth": {
        "zh-CN": "身份证号码中的出生日期 {date} 无效",
        "en": "the birth date {date} in the ID number is not a valid date",
    },
    "id.check": {
        "zh-CN": "身份证号码校验位错误（应为 {expected}，实为 {actual}）",
        "en": "the ID number's check character is wrong (expected {expected}, got {actual})",
    },
    "id.format": {
        "zh-CN": "{type}号码格式不正确",
        "en": "the {type} number is not in the right format",
    },
    "id.type_unknown": {
        "zh-CN": "未知的证件类型 {value}（可用：{allowed}）",
        "en": "unknown ID type {value} (allowed: {allowed})",
    },
    "phone.invalid": {
        "zh-CN": "手机号码 {value} 不正确（应为 11 位，以 13–19 开头）",
        "en": "mobile number {value} is not valid (11 digits starting 13–19)",
    },
    "name.invalid": {
        "zh-CN": "姓名 {value} 不正确（最多 28 个汉字，少数民族姓名可含“·”或“.”）",
        "en": "name {value} is not valid (up to 28 Chinese characters; "
        "minority names may contain “·” or “.”)",
    },
    "reg_no.invalid": {
        "zh-CN": "报名号 {value} 不正确（不能为空，不能含空白字符，最多 32 个字符）",
        "en": "registration number {value} is not valid (not empty, no spaces, at most 32 chars)",
    },
    "category.unknown": {
        "zh-CN": "未知的考生类别 {value}（可用：{allowed}）",
        "en": "unknown candidate category {value} (allowed: {allowed})",
    },
    # --- id types and states (display names) ---------------------------------------------
    "idtype.resident": {"zh-CN": "居民身份证", "en": "resident ID card"},
    "idtype.temp_resident": {"zh-CN": "临时居民身份证", "en": "temporary resident ID card"},
    "idtype.hmt_permit": {"zh-CN": "港澳台居民居住证", "en": "HK/Macau/Taiwan residence permit"},
    "idtype.taiwan_id": {"zh-CN": "台湾居民身份证", "en": "Taiwan ID card"},
    "idtype.hk_id": {"zh-CN": "香港身份证", "en": "Hong Kong ID card"},
    "idtype.macau_id": {"zh-CN": "澳门身份证", "en": "Macau ID card"},
    "idtype.passport": {"zh-CN": "护照", "en": "passport"},
    "state.draft": {"zh-CN": "未提交", "en": "draft"},
    "state.submitted": {"zh-CN": "已提交，待考点审核", "en": "submitted, awaiting site review"},
    "state.returned": {"zh-CN": "已退回，待修改", "en": "returned for changes"},
    "state.site_approved": {"zh-CN": "考点审核通过", "en": "approved by the site"},
    "state.ineligible": {"zh-CN": "不符合报考条件", "en": "not eligible"},
    "state.district_approved": {"zh-CN": "考区复审通过", "en": "approved by the district"},
    "state.district_returned": {"zh-CN": "考区复审退回", "en": "returned by the district"},
    # --- roster --------------------------------------------------------------------------
    "roster.file_missing": {
        "zh-CN": "找不到名单文件 {path}。",
        "en": "Roster file {path} not found.",
    },
    "roster.encoding": {
        "zh-CN": "名单文件 {path} 的编码无法识别（支持 UTF-8 与 GB18030）。",
        "en": "Cannot tell the encoding of roster file {path} (UTF-8 and GB18030 are supported).",
    },
    "roster.workbook": {
        "zh-CN": "名单文件 {path} 是 Excel 工作簿，不是 CSV：请在 Excel 中“另存为”"
                 "“CSV UTF-8（逗号分隔）”后再导入。",
        "en": "Roster file {path} is an Excel workbook, not CSV: in Excel use Save As, "
              "“CSV UTF-8 (Comma delimited)”, and import that file.",
    },
    "roster.excel_number": {
        "zh-CN": "{column} 为“{value}”：这是 Excel 的科学计数法，原来的数字已丢失。请在 Excel 中"
                 "把该列设为“文本”，重新输入号码，另存为 CSV 后再导入",
        "en": "{column} is “{value}”: Excel's scientific notation, the number's digits are "
              "lost. In Excel set that column to Text, type the numbers again, save as CSV "
              "and import again",
    },
    "roster.no_header": {
        "zh-CN": "名单文件 {path} 缺少表头或缺少必需的列：{missing}（需要 reg_no,name,id_number,"
                 "phone 四列；也可用中文列名：报名号、姓名、证件号码、手机号）",
        "en": "Roster file {path} lacks a header or the required columns: {missing} "
        "(needed: reg_no,name,id_number,phone, or the Chinese names 报名号, 姓名, 证件号码, 手机号)",
    },
    "roster.malformed": {
        "zh-CN": "名单文件 {path} 不是有效的 CSV：{detail}",
        "en": "Roster file {path} is not valid CSV: {detail}",
    },
    "roster.extra_columns": {
        "zh-CN": "已忽略未知或重复的列：{columns}",
        "en": "Ignored unknown or repeated columns: {columns}",
    },
    "roster.bad_row": {
        "zh-CN": "第 {line} 行：{reason}",
        "en": "line {line}: {reason}",
    },
    "roster.row_columns": {
        "zh-CN": "列数与表头不符（表头 {expected} 列，此行 {actual} 列）",
        "en": "number of fields differs from the header ({expected} expected, {actual} found)",
    },
    "roster.duplicate": {
        "zh-CN": "报名号 {reg_no} 与第 {first} 行重复",
        "en": "registration number {reg_no} repeats line {first}",
    },
    "roster.identity_captured": {
        "zh-CN": "报名号 {reg_no} 已有采集的材料，名单导入不能再改其姓名或证件：如确属登记错误，"
                 "请先删除其全部材料，再导入",
        "en": "registration no. {reg_no} has captured materials, so a roster import cannot "
              "change their name or ID: if the registration is wrong, delete all their "
              "materials first, then import",
    },
    "roster.identity_locked": {
        "zh-CN": "报名号 {reg_no} 的材料已锁定（{state}），名单导入不能再改其姓名或证件：{how}",
        "en": "registration no. {reg_no} has locked materials ({state}), so a roster import "
              "cannot change their name or ID: {how}",
    },
    "roster.categories_locked": {
        "zh-CN": "报名号 {reg_no} 的材料已锁定（{state}），名单导入不能再改其报考类别：{how}",
        "en": "registration no. {reg_no} has locked materials ({state}), so a roster import "
              "cannot change their categories: {how}",
    },
    "roster.how_submitted": {
        "zh-CN": "如确需更改，请先退回（kiosk review 报名号 --return 意见），再导入",
        "en": "to change it, return them first (kiosk review REG_NO --return COMMENT), then "
              "import",
    },
    "roster.how_decided": {
        "zh-CN": "已审核的考生在本机不能再更改，请报考区更正",
        "en": "a decided candidate cannot be changed at this kiosk; ask the district to "
              "correct it",
    },
    "roster.id_taken": {
        "zh-CN": "证件号码已属于另一报名号 {other}",
        "en": "the ID number already belongs to registration number {other}",
    },
    "roster.summary": {
        "zh-CN": "名单导入完成：新增 {added} 名，更新 {updated} 名，未变 {unchanged} 名，拒绝 {rejected} 行。",
        "en": "Roster imported: {added} added, {updated} updated, {unchanged} unchanged, "
        "{rejected} rows rejected.",
    },
    # --- materials and workflow ----------------------------------------------------------
    "candidate.unknown": {
        "zh-CN": "报名号 {reg_no} 不在本考点名单中。",
        "en": "Registration number {reg_no} is not on this site's roster.",
    },
    "material.unknown": {
        "zh-CN": "未知的材料代码 {code}。可用代码：{allowed}",
        "en": "Unknown material code {code}. Codes: {allowed}",
    },
    "material.not_needed": {
        "zh-CN": "考生 {reg_no} 不需要提交“{name}”。",
        "en": "Candidate {reg_no} does not need “{name}”.",
    },
    "capture.duplicate": {
        "zh-CN": "这张图片与已保存的“{name}”第 {index} 张是同一张照片，同一张照片不能保存两次。",
        "en": "This is the same photo as “{name}” no. {index}, already stored; one photo is "
              "not stored twice.",
    },
    "materials.shared": {"zh-CN": "（可多名考生共用）", "en": "(may serve several candidates)"},
    "capture.other_candidate": {
        "zh-CN": "这张照片已保存为另一名考生（报名号 {reg_no}）的“{name}”。个人材料只属于一名考生："
                 "请确认选的是本人；如果是那名考生选错了，请先在那里删除（已提交的须先退回）。",
        "en": "This photo is already stored as “{name}” of another candidate (registration "
              "no. {reg_no}). A personal document belongs to one candidate: check that this "
              "is the right candidate; if the other one was chosen by mistake, delete it "
              "there first (returning them first if submitted).",
    },
    "capture.duplicate_batch": {
        "zh-CN": "这次要保存的图片中有两张是同一张照片，同一张照片不能保存两次"
                 "（证件正反面请分别拍摄）。",
        "en": "Two of these images are the same photo; one photo is not stored twice "
              "(capture each side of an ID separately).",
    },
    "capture.too_many": {
        "zh-CN": "“{name}”最多 {max} 张，已有 {count} 张，不能再添加 {adding} 张。请先删除不需要的图片。",
        "en": "“{name}” takes at most {max} images; it has {count}, so {adding} more cannot be "
        "added. Delete one first.",
    },
    "capture.locked": {
        "zh-CN": "“{name}”的图片已锁定（{state}），不能添加或删除。",
        "en": "The images of “{name}” are locked ({state}); they cannot be added or deleted.",
    },
    "capture.approved": {
        "zh-CN": "“{name}”已审核通过并锁定 ✓，不能添加或删除。",
        "en": "“{name}” is approved and locked ✓; it cannot be added to or deleted.",
    },
    "capture.not_returned": {
        "zh-CN": "“{name}”不在退回修改的材料之中，不能添加或删除。",
        "en": "“{name}” is not among the materials returned for changes.",
    },
    "capture.stored": {
        "zh-CN": "已保存：{name} 第 {index} 张，{width}×{height}，{size} 字节，sha256 {sha}",
        "en": "Stored: {name} image {index}, {width}×{height}, {size} bytes, sha256 {sha}",
    },
    "capture.no_document": {
        "zh-CN": "{file}：未找到文件边缘，已按平整扫描件整幅处理。",
        "en": "{file}: no document found; the whole image was taken as a flat scan.",
    },
    "capture.quality": {
        "zh-CN": "{file}：{reasons}",
        "en": "{file}: {reasons}",
    },
    "capture.nothing_stored": {
        "zh-CN": "未保存任何图片。",
        "en": "Nothing was stored.",
    },
    "delete.index": {
        "zh-CN": "“{name}”没有第 {index} 张图片（现有 {count} 张）。",
        "en": "“{name}” has no image {index} (it has {count}).",
    },
    "delete.left": {"zh-CN": "；现有 {count} 张", "en": "; {count} left"},
    "delete.moved": {"zh-CN": "；其后的图片序号前移一位", "en": "; the images after it move up one"},
    "delete.done": {
        "zh-CN": "已删除：{name} 第 {index} 张（{width}×{height}，{size} 字节，sha256 {sha}，"
                 "{source}）{moved}{left}。",
        "en": "Deleted: {name} image {index} ({width}×{height}, {size} bytes, sha256 {sha}, "
              "{source}){moved}{left}.",
    },
    "submit.state": {
        "zh-CN": "考生 {reg_no} 当前状态为“{state}”，不能提交。",
        "en": "Candidate {reg_no} is {state}; this cannot be submitted.",
    },
    "submit.missing": {
        "zh-CN": "不能提交，以下材料不完整：{items}",
        "en": "Cannot submit; these materials are incomplete: {items}",
    },
    "submit.missing_item": {
        "zh-CN": "{name}（需要 {need}，已有 {count}）",
        "en": "{name} (needs {need}, has {count})",
    },
    "submit.done": {
        "zh-CN": "上报完成，内容已锁定。考生 {reg_no} 共 {count} 张图片。",
        "en": "Submitted; the content is locked. Candidate {reg_no}: {count} images.",
    },
    "review.state": {
        "zh-CN": "考生 {reg_no} 当前状态为“{state}”，不能审核（只能审核已提交的考生）。",
        "en": "Candidate {reg_no} is {state}; only submitted candidates can be reviewed.",
    },
    "review.missing": {
        "zh-CN": "考生 {reg_no} 的材料不全，不能审核通过：{items}。请退回，让考生补齐后重新提交。",
        "en": "Candidate {reg_no} lacks materials and cannot be approved: {items}. Return "
              "them so the candidate can complete and resubmit.",
    },
    "review.already_approved": {
        "zh-CN": "考生 {reg_no} 的“{name}”已审核通过并锁定 ✓，不能退回。",
        "en": "“{name}” of candidate {reg_no} is already approved and locked ✓; "
        "it cannot be returned.",
    },
    "review.material_needs_return": {
        "zh-CN": "--material 只能与 --return 一起使用。",
        "en": "--material can only be used with --return.",
    },
    "review.comment_required": {
        "zh-CN": "退回或不予通过时必须填写意见。",
        "en": "A comment is required to return or refuse.",
    },
    "review.approved": {
        "zh-CN": "考生 {reg_no} 审核通过，全部图片已锁定 ✓。",
        "en": "Candidate {reg_no} approved; all images locked ✓.",
    },
    "review.returned": {
        "zh-CN": "考生 {reg_no} 已退回并解锁材料：{materials}。",
        "en": "Candidate {reg_no} returned; unlocked: {materials}.",
    },
    "review.ineligible": {
        "zh-CN": "考生 {reg_no} 已标记为不符合报考条件。",
        "en": "Candidate {reg_no} marked not eligible.",
    },
    "sms.review_notice": {
        "zh-CN": "【{unit}】您的医师资格考试报名材料照片，有新的审核通知，请在 24 小时之内登陆报名网站，"
        "访问报名材料上传页面，查看消息并按要求处理。",
        "en": "[{unit}] There is a new review notice about your medical licensing exam "
        "documents. Please log in within 24 hours and follow the instructions.",
    },
    # --- status --------------------------------------------------------------------------
    "status.header": {
        "zh-CN": "报名号 {reg_no}  {name}  {id_type} {id_masked}  状态：{state}",
        "en": "Reg. no. {reg_no}  {name}  {id_type} {id_masked}  state: {state}",
    },
    "status.material": {
        "zh-CN": "  {mark} {name}（{code}）：{count} 张（需要 {need}）",
        "en": "  {mark} {name} ({code}): {count} images (needs {need})",
    },
    "status.image": {
        "zh-CN": "      {index}. {width}×{height} {size} 字节 {lock} {sha}",
        "en": "      {index}. {width}×{height} {size} bytes {lock} {sha}",
    },
    "status.image_quality": {
        "zh-CN": "         注意：{reasons}",
        "en": "         check: {reasons}",
    },
    "status.summary": {
        "zh-CN": "共 {count} 名考生；各状态：{states}；待同步 {pending} 条。",
        "en": "{count} candidates; by state: {states}; {pending} outbox entries pending.",
    },
    "status.feedback": {
        "zh-CN": "  审核意见（{at}）：{comment}",
        "en": "  Review comment ({at} UTC+8): {comment}",
    },
    "status.flat_scan": {
        "zh-CN": "未找到文件边缘，整幅图片按平整扫描件保存",
        "en": "no document edges found, the whole image kept as a flat scan",
    },
    "status.feedback_item": {
        "zh-CN": "    {name}：{comment}",
        "en": "    {name}: {comment}",
    },
    "lock.approved": {"zh-CN": "🔒✓", "en": "locked ✓"},
    "lock.locked": {"zh-CN": "🔒", "en": "locked"},
    "lock.open": {"zh-CN": "可修改", "en": "unlocked"},
    # --- audit ---------------------------------------------------------------------------
    "audit.ok": {
        "zh-CN": "审计日志完整：共 {count} 条，链尾 {head}。",
        "en": "Audit log intact: {count} entries, head {head}.",
    },
    "audit.broken": {
        "zh-CN": "审计日志被篡改：第 {id} 条 {problem}。",
        "en": "Audit log tampered with: entry {id} {problem}.",
    },
    "audit.problem.hash": {"zh-CN": "内容与哈希不符", "en": "does not match its hash"},
    "audit.problem.link": {
        "zh-CN": "与上一条不相连（有条目被删除或调换）",
        "en": "does not link to the previous one (an entry was deleted or moved)",
    },
    "audit.problem.tail": {
        "zh-CN": "之后的条目缺失（日志尾部被删除）",
        "en": "is followed by missing entries (the log's tail was deleted)",
    },
    # --- images (camera.imageio error codes) ---------------------------------------------
    "image.empty": {"zh-CN": "{file} 是空文件。", "en": "{file} is empty."},
    "image.not_image": {
        "zh-CN": "{file} 不是可识别的图片（支持 JPG、PNG 等）。",
        "en": "{file} is not an image that can be read (JPG, PNG, …).",
    },
    "image.truncated": {
        "zh-CN": "{file} 图片不完整（文件已损坏或未传完）。",
        "en": "{file} is truncated or damaged.",
    },
    "image.too_large": {
        "zh-CN": "{file} 的像素尺寸过大，拒绝处理（可能是恶意文件）。",
        "en": "{file} declares too many pixels; refused (possibly a decompression bomb).",
    },
    "image.unsupported": {
        "zh-CN": "{file} 的图片格式不受支持。",
        "en": "{file} uses an image format that is not supported.",
    },
    "image.unreadable": {
        "zh-CN": "无法读取文件 {file}（{detail}）。", "en": "Cannot read {file} ({detail})."},
    "image.missing": {"zh-CN": "找不到文件 {file}。", "en": "File {file} not found."},
    "image.is_dir": {
        "zh-CN": "{file} 是文件夹，不是图片文件。请给出图片文件本身。",
        "en": "{file} is a folder, not an image file. Name the image files themselves.",
    },
    # --- quality gates (camera.quality reason codes) -------------------------------------
    "quality.blur": {
        "zh-CN": "图像模糊，请放稳材料、保持不动后重拍",
        "en": "the image is blurred; hold the document still and capture again",
    },
    "quality.glare": {
        "zh-CN": "材料上有反光，请调整角度或遮挡灯光后重拍",
        "en": "there is glare on the document; tilt it or shade the light",
    },
    "quality.dark": {
        "zh-CN": "画面太暗，请打开补光灯",
        "en": "the image is too dark; turn on the light",
    },
    "quality.bright": {
        "zh-CN": "画面太亮，请调暗灯光",
        "en": "the image is too bright; dim the light",
    },
    "quality.small": {
        "zh-CN": "材料在画面中太小，请放到拍摄区域中央",
        "en": "the document is too small in the frame; place it in the middle",
    },
    "quality.cut_off": {
        "zh-CN": "材料有角超出画面，请整张放入拍摄区域",
        "en": "a corner of the document is outside the frame; place all of it in view",
    },
    "quality.wrong_size": {
        "zh-CN": "材料的长宽比例与这类材料的纸张不符，请确认放的是要求的材料",
        "en": "the document's proportions are not this material's paper; check that it is "
              "the document asked for",
    },
    "quality.small_text": {
        "zh-CN": "字太小，看不清：请让材料占满拍摄区域，或用更高的分辨率重拍",
        "en": "the text is too small to read; let the document fill the view or capture at "
              "a higher resolution",
    },
    "quality.low_res": {
        "zh-CN": "图像像素太少，看不清细节：请让材料占满拍摄区域，或用原图（不要用缩略图）",
        "en": "the image has too few pixels to check; let the document fill the view, or use "
              "the original photo rather than a thumbnail",
    },
    "quality.blank": {
        "zh-CN": "材料上看不到文字或印刷内容：请确认放的是要拍的材料，并且正面朝上",
        "en": "nothing printed shows on the document; check that it is the document asked "
              "for, face up",
    },
    # --- receipt -------------------------------------------------------------------------
    "keys.missing": {
        "zh-CN": "找不到本机签名密钥 {path}。请先运行 kiosk init。",
        "en": "The kiosk's signing key {path} is missing. Run `kiosk init` first.",
    },
    "keys.unreadable": {
        "zh-CN": "本机签名密钥 {path} 无法读取：{detail}。请联系考点技术人员（不要删除该文件）。",
        "en": "Cannot read the kiosk's signing key {path}: {detail}. Call the site's "
              "technician (do not delete the file).",
    },
    "keys.export_hint": {
        "zh-CN": "本机公钥如下（填入其他设备 kiosk.toml 的 [receipt] trusted_keys）：",
        "en": "This kiosk's public key follows (for [receipt] trusted_keys in other kiosks' "
              "kiosk.toml):",
    },
    "receipt.not_submitted": {
        "zh-CN": "考生 {reg_no} 尚未提交材料，不能出具回执。请先提交。",
        "en": "Candidate {reg_no} has not submitted yet; no receipt before submission.",
    },
    "receipt.bad_state": {
        "zh-CN": "考生 {reg_no} 的状态 {state} 不能写入回执。",
        "en": "Candidate {reg_no} is in state {state}, which a receipt cannot carry.",
    },
    "receipt.too_long": {
        "zh-CN": "回执内容 {field}（{value}…）过长，无法写入二维码。",
        "en": "The receipt's {field} ({value}…) is too long for the QR code.",
    },
    "receipt.unmasked_id": {
        "zh-CN": "证件号码未经遮挡，不能写入回执。",
        "en": "The ID number is not masked; a receipt never carries it whole.",
    },
    "receipt.invalid_format": {
        "zh-CN": "回执无效：二维码内容不是本系统的回执或已损坏（{detail}）。",
        "en": "Invalid receipt: the QR code is not a kiosk receipt or is damaged ({detail}).",
    },
    "receipt.format.not_text": {"zh-CN": "内容不是文字", "en": "not text"},
    "receipt.format.prefix": {"zh-CN": "不以 KR1: 开头", "en": "does not start with KR1:"},
    "receipt.format.base45": {"zh-CN": "编码有误", "en": "bad base45 text"},
    "receipt.format.too_short": {"zh-CN": "内容太短", "en": "too short"},
    "receipt.format.truncated": {"zh-CN": "内容不完整", "en": "truncated"},
    "receipt.format.utf8": {"zh-CN": "文字编码有误", "en": "text is not UTF-8"},
    "receipt.format.unmasked": {"zh-CN": "证件号码未遮挡", "en": "the ID number is not masked"},
    "receipt.format.state": {"zh-CN": "状态未知", "en": "unknown state"},
    "receipt.format.trailing": {"zh-CN": "末尾有多余内容", "en": "trailing bytes"},
    "receipt.invalid_signature": {
        "zh-CN": "回执无效：签名不符，内容已被改动或伪造。",
        "en": "Invalid receipt: the signature does not match; it was altered or forged.",
    },
    "receipt.invalid_unknown_key": {
        "zh-CN": "回执无效：签发密钥 {detail} 不受信任。若来自其他考点设备，请把该设备 "
                 "kiosk keys export 的公钥加入 [receipt] trusted_keys。",
        "en": "Invalid receipt: signed by key {detail}, which is not trusted. If it comes "
              "from another kiosk, add that kiosk's `kiosk keys export` key to [receipt] "
              "trusted_keys.",
    },
    "receipt.invalid_version": {
        "zh-CN": "回执无效：不支持的回执版本 {detail}。请升级本软件。",
        "en": "Invalid receipt: unsupported receipt version {detail}. Update this software.",
    },
    "verify.valid": {
        "zh-CN": "回执有效（签发密钥 {signer}）",
        "en": "Valid receipt (signed by {signer})",
    },
    "verify.superseded": {
        "zh-CN": "此回执由本机签发，内容真实，但已不是该考生的最新情况：本机记录的当前状态为"
                 "“{state}”，材料 {materials}。请以重新打印的回执为准。",
        "en": "This kiosk signed this receipt and it is authentic, but it is no longer the "
              "candidate's current record: this kiosk now has them as {state}, materials "
              "{materials}. Go by a newly printed receipt.",
    },
    "verify.content": {
        "zh-CN": "考点：{site_code}  设备：{kiosk_id}\n报名号：{reg_no}\n姓名：{name}\n"
                 "证件号码：{id_masked}\n状态：{state}\n提交时间：{time}\n材料：{materials}\n"
                 "图像摘要：{digest}",
        "en": "Site: {site_code}  Kiosk: {kiosk_id}\nRegistration no.: {reg_no}\nName: {name}\n"
              "ID number: {id_masked}\nState: {state}\nSubmitted: {time}\n"
              "Materials: {materials}\nImage digest: {digest}",
    },
    "verify.usage": {
        "zh-CN": "请给出回执图片或 PDF 文件，或用 --payload 给出二维码内容（二者选一）。",
        "en": "Give a receipt image or PDF file, or the QR content with --payload (one of "
              "the two).",
    },
    "verify.missing": {
        "zh-CN": "文件 {path} 不存在。",
        "en": "File {path} does not exist.",
    },
    "verify.not_image": {
        "zh-CN": "{path} 不是可读取的图片或 PDF 文件（{detail}）。",
        "en": "{path} is not a readable image or PDF file ({detail}).",
    },
    "verify.is_dir": {
        "zh-CN": "{path} 是文件夹，不是回执图片或 PDF 文件。",
        "en": "{path} is a folder, not a receipt image or PDF file.",
    },
    "verify.broken": {
        "zh-CN": "{path} 已损坏或不完整，无法读取。",
        "en": "{path} is damaged or incomplete and cannot be read.",
    },
    "verify.too_large": {
        "zh-CN": "{path} 的图片过大（像素过多），不予读取。",
        "en": "{path} is too large an image (too many pixels) to read.",
    },
    "verify.unknown_format": {
        "zh-CN": "{path} 不是 PNG、JPEG 等图片，也不是 PDF 文件。",
        "en": "{path} is neither an image (PNG, JPEG…) nor a PDF file.",
    },
    "verify.no_qr": {
        "zh-CN": "在 {path} 中没有找到可识别的二维码。请重新拍摄：回执平放、对焦清晰、光线均匀、"
                 "二维码占画面三分之一以上。",
        "en": "No readable QR code found in {path}. Take the photo again: slip flat, in "
              "focus, evenly lit, the QR code filling a third of the picture or more.",
    },
    "slip.saved": {"zh-CN": "回执已保存：{path}", "en": "Receipt saved: {path}"},
    "slip.printed": {
        "zh-CN": "回执已送往打印机 {printer}。",
        "en": "Receipt sent to printer {printer}.",
    },
    "slip.usage": {
        "zh-CN": "请用 -o 文件.png|文件.pdf 保存回执，或用 --print 打印（二者选一）。",
        "en": "Save the receipt with -o FILE.png|FILE.pdf or print it with --print (one of "
              "the two).",
    },
    "slip.bad_suffix": {
        "zh-CN": "回执文件名须以 .png 或 .pdf 结尾：{path}",
        "en": "A receipt file name must end in .png or .pdf: {path}",
    },
    "slip.write_failed": {
        "zh-CN": "无法写入回执文件 {path}：{detail}",
        "en": "Cannot write the receipt file {path}: {detail}",
    },
    "slip.print_failed": {
        "zh-CN": "回执未能打印：{detail}\n回执已保存在 {path}；排除故障后可用 kiosk slip {reg_no} "
                 "--print 重新打印。已提交的材料不受影响。",
        "en": "The receipt was not printed: {detail}\nIt is saved as {path}; once the printer "
              "is fixed, reprint with `kiosk slip {reg_no} --print`. The submission stands.",
    },
    "printer.offline": {
        "zh-CN": "打印机 {printer} 离线或已停用，请检查电源和连线",
        "en": "printer {printer} is offline or disabled; check its power and cable",
    },
    "printer.no_paper": {
        "zh-CN": "打印机 {printer} 缺纸，请装入热敏纸卷",
        "en": "printer {printer} is out of paper; load a new roll",
    },
    "printer.cover_open": {
        "zh-CN": "打印机 {printer} 纸仓盖未关好",
        "en": "the cover of printer {printer} is open",
    },
    "printer.not_found": {
        "zh-CN": "找不到打印机 {printer}（lpstat -p 列出已安装的打印机）",
        "en": "printer {printer} not found (lpstat -p lists the installed printers)",
    },
    "printer.no_cups": {
        "zh-CN": "本机没有 CUPS 打印系统（找不到 lp 命令）；请安装 cups，或在 [printer] backend "
                 "改用 file 或 escpos",
        "en": "this machine has no CUPS (no lp command); install cups or set [printer] "
              "backend to file or escpos",
    },
    "printer.cups_down": {
        "zh-CN": "CUPS 打印服务未运行（systemctl start cups）",
        "en": "the CUPS service is not running (systemctl start cups)",
    },
    "printer.failed": {
        "zh-CN": "打印机 {printer} 出错：{detail}",
        "en": "printer {printer} failed: {detail}",
    },
    "printer.escpos_setup": {
        "zh-CN": "[printer] 的 escpos 连接设置不完整：{detail}",
        "en": "the escpos connection in [printer] is incomplete: {detail}",
    },
    "font.missing": {
        "zh-CN": "找不到中文字体，无法生成回执（不会打印方框乱码）。请安装字体（apt-get install "
                 "fonts-wqy-microhei 或 fonts-noto-cjk），或在 kiosk.toml 的 [receipt] font "
                 "指定字体文件。",
        "en": "No Chinese (CJK) font found, so no receipt can be made (it would print empty "
              "boxes). Install one (apt-get install fonts-wqy-microhei or fonts-noto-cjk) or "
              "name a font file in [receipt] font of kiosk.toml.",
    },
    "font.unusable": {
        "zh-CN": "[receipt] font = {font} 无法使用：{detail}",
        "en": "[receipt] font = {font} cannot be used: {detail}",
    },
    "font.no_glyph": {
        "zh-CN": "字体 {font} 缺少字符 {chars}，无法生成回执。请在 [receipt] font 指定包含这些"
                 "字符的字体（如 Noto Sans CJK）。",
        "en": "Font {font} lacks the characters {chars}; no receipt can be made. Name a font "
              "that has them (e.g. Noto Sans CJK) in [receipt] font.",
    },
    "slip.title": {
        "zh-CN": "医师资格考试现场确认回执",
        "en": "Medical Licensing Examination — On-site Confirmation Receipt",
    },
    "slip.site": {"zh-CN": "考点：{code} {name}", "en": "Exam site: {code} {name}"},
    "slip.name": {"zh-CN": "姓名：{name}", "en": "Name: {name}"},
    "slip.id": {"zh-CN": "证件号码：{id}", "en": "ID number: {id}"},
    "slip.reg_no": {"zh-CN": "报名号：{reg_no}", "en": "Registration no.: {reg_no}"},
    "slip.materials": {"zh-CN": "已确认材料：", "en": "Materials confirmed:"},
    "slip.materials_returned": {
        "zh-CN": "已上传材料：",
        "en": "Materials on file:",
    },
    "slip.materials_submitted": {"zh-CN": "已提交材料：", "en": "Materials submitted:"},
    "slip.material_line": {"zh-CN": "{name}  {count} 张", "en": "{name}  {count}"},
    "slip.total": {"zh-CN": "合计 {count} 张", "en": "{count} images in all"},
    "slip.state": {"zh-CN": "状态：{state}", "en": "State: {state}"},
    # Beijing time: what a Chinese reader assumes unless told; an English one is told
    "slip.time": {"zh-CN": "提交时间：{time}", "en": "Submitted: {time} (UTC+8)"},
    "slip.kiosk": {"zh-CN": "设备：{kiosk_id}", "en": "Kiosk: {kiosk_id}"},
    "slip.scan": {
        "zh-CN": "扫码可离线核验本回执真伪",
        "en": "Scan to check this receipt offline",
    },
    "slip.notice": {
        "zh-CN": "请妥善保管本回执。考点与考区将审核您的材料，审核结果将以短信通知；"
                 "如材料被退回，请在 24 小时内按短信要求处理。",
        "en": "Keep this receipt. The site and the district will review your materials and "
              "send the result by SMS; if they are returned, act within 24 hours as the SMS "
              "says.",
    },
    "slip.notice_site_approved": {
        "zh-CN": "请妥善保管本回执。考点审核已通过，考区将复审您的材料，结果将以短信通知；"
                 "如材料被退回，请在 24 小时内按短信要求处理。",
        "en": "Keep this receipt. The site has approved your materials; the district will "
              "review them again and send the result by SMS; if they are returned, act "
              "within 24 hours as the SMS says.",
    },
    "slip.notice_district_approved": {
        "zh-CN": "请妥善保管本回执。您的材料已通过考区复审，无须再做处理。",
        "en": "Keep this receipt. The district has approved your materials; nothing more is "
              "needed.",
    },
    "slip.notice_returned": {
        "zh-CN": "请妥善保管本回执。您的材料已被退回，尚未确认：请按审核意见修改，"
                 "并在 24 小时内重新提交。",
        "en": "Keep this receipt. Your materials were returned and are not confirmed: correct "
              "them as the review says and submit them again within 24 hours.",
    },
    "slip.notice_ineligible": {
        "zh-CN": "请妥善保管本回执。经审核，您不符合本次报考条件；如有疑问，请咨询考点工作人员。",
        "en": "Keep this receipt. The review found you not eligible for this exam; ask the "
              "site's staff if you have questions.",
    },
}


# Chinese typesetting never starts a line with closing punctuation nor ends one with opening
# punctuation (the printed slip, the thermal printer's columns, the terminal's help)
NO_LINE_START = "，。、；：？！）》」』”"
NO_LINE_END = "（《「『“‘【〈"


def display_width(text: str) -> int:
    """Columns text takes on a terminal or a receipt printer: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _narrow(c: str) -> bool:
    return not c.isspace() and display_width(c) == 1 and c not in NO_LINE_START


def line_break(line: str, following: str) -> tuple[str, str]:
    """A full line about to be broken before `following`: (what stays, what moves down).
    Before closing punctuation the last character (or Latin word) moves down with it, and any closing
    punctuation right before the break ("张）" before "。"); opening punctuation at the end
    moves down to what it opens. Nothing moves when that would leave the line empty, nor
    before closing punctuation when the line ends in a space (a break at a space is fine)."""
    stay, carry = line, ""
    if following[:1] and following[0] in NO_LINE_START and not line[-1:].isspace():
        k = len(line) - 1
        while k > 0 and line[k] in NO_LINE_START:
            k -= 1
        while k > 0 and _narrow(line[k]) and _narrow(line[k - 1]):  # a word moves whole
            k -= 1
        if k > 0 and line[:k].strip():
            stay, carry = line[:k], line[k:]
    while len(stay) > 1 and stay[-1] in NO_LINE_END and stay[:-1].strip():
        stay, carry = stay[:-1], stay[-1] + carry
    return stay, carry


def wrap_columns(text: str, columns: int) -> list[str]:
    """text in lines of at most `columns` columns (display_width): breaks at spaces and
    between CJK characters, inside a Latin word or an option only when it is longer than a
    line, and by line_break's rules. Spaces are kept (a receipt's indents and gaps) except
    at a break; "" gives [""]."""
    words: list[str] = []  # runs of narrow characters, each wide character, each space
    for c in text:
        if c != " " and display_width(c) == 1 and words and words[-1] != " " \
                and display_width(words[-1][-1]) == 1:
            words[-1] += c
        else:
            words.append(c)
    lines: list[str] = []
    line, broken = "", False  # broken: a break came before this line (its spaces go)
    for w in words:
        if w != " " and display_width(w) > columns:  # longer than a line: cut (one column
            if line.strip():                         # a character, as a narrow run is)
                lines.append(line.rstrip())
            while len(w) > columns:
                lines.append(w[:columns])
                w = w[columns:]
            line, broken = w, True
        elif w != " " and display_width(line + w) > columns:
            if not line.strip():  # only an indent before it: the indent goes
                line, broken = w, True
                continue
            stay, carry = line_break(line, w)
            lines.append(stay.rstrip())
            line, broken = carry + w, True
            if display_width(line) > columns:  # an opening bracket before a long word
                lines.append(carry.rstrip())
                line = w
        elif not (w == " " and broken and not line):
            line += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class Messages:
    """Texts in one language, with the catalog's placeholders filled."""

    def __init__(self, language: str = "zh-CN") -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.language = language

    def __call__(self, key: str, /, **params: Any) -> str:
        entry = CATALOG.get(key)
        if entry is None:  # a programming error, but never a traceback for the user
            return key + (f" {params}" if params else "")
        # A parameter marked Key (an ID type, a state, what a setting allows) is said in
        # words, filled from the same parameters; anything else is said as it is, so text a
        # user typed is never taken for a key, whatever it spells. A list is said as a list.
        plain = {k: v for k, v in params.items() if not _is_key(v)}
        filled = {k: self(v, **plain) if k not in plain else v for k, v in params.items()}
        filled = {k: self("list.names").join(map(str, v)) if isinstance(v, list | tuple) else v
                  for k, v in filled.items()}
        return entry[self.language].format_map(_Defaulting(filled))


class Key(str):
    """A message parameter that is itself a catalog key, to be said in words ("state.draft"
    -> 草稿). Parameters are text to show unless marked so."""


def _is_key(value: Any) -> bool:
    return isinstance(value, Key) and value in CATALOG


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


BEIJING = dt.timezone(dt.timedelta(hours=8))  # the exam's own clock, whatever the machine's


def beijing_time(t: dt.datetime | str) -> str:
    """A moment (a datetime, or the store's ISO text) as people at the site read it. The
    store writes UTC; a time without a zone is taken as UTC too, and text that is no time
    at all is shown as it is (an old or hand-edited row must not stop a listing)."""
    if isinstance(t, str):
        try:
            t = dt.datetime.fromisoformat(t)
        except ValueError:
            return t
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
