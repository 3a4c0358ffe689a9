"""Lexical resources and small text helpers for rule-based extraction from Chinese documents.

Everything here is general Chinese-policy-text knowledge (organisation suffixes, function words,
governing verbs, descriptive vocabulary), not tuned to any one document. ``ingest.extract`` uses
it to decide where a name starts and whether a suffix-headed phrase is a name or a description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


def words(text: str) -> frozenset[str]:
    """A word list written as whitespace-separated words."""
    return frozenset(text.split())


# --- organisation suffixes -------------------------------------------------------------------

# (suffix, label), longest first when matched. Single characters only count on a token that is a
# real unit word (see ``NOT_UNIT_WORDS``).
ORG_SUFFIXES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            # enterprises
            ("股份有限公司", "Enterprise"),
            ("有限责任公司", "Enterprise"),
            ("有限公司", "Enterprise"),
            ("股份公司", "Enterprise"),
            ("集团公司", "Enterprise"),
            ("分公司", "Enterprise"),
            ("公司", "Enterprise"),
            ("集团", "Enterprise"),
            ("银行", "Enterprise"),
            ("分行", "Enterprise"),
            ("支行", "Enterprise"),
            ("厂", "Enterprise"),
            # institutions
            ("大学", "Institution"),
            ("学院", "Institution"),
            ("研究院", "Institution"),
            ("研究所", "Institution"),
            ("设计院", "Institution"),
            ("实验室", "Institution"),
            ("中心", "Institution"),
            # parks
            ("产业园区", "Park"),
            ("工业园区", "Park"),
            ("科技园区", "Park"),
            ("物流园区", "Park"),
            ("产业园", "Park"),
            ("工业园", "Park"),
            ("科技园", "Park"),
            ("物流园", "Park"),
            ("园区", "Park"),
            ("高新区", "Park"),
            ("开发区", "Park"),
            ("经开区", "Park"),
            ("新区", "Park"),
            ("示范区", "Park"),
            ("试验区", "Park"),
            ("实验区", "Park"),
            ("保税区", "Park"),
            ("自贸区", "Park"),
            # government units
            ("管理委员会", "GovernmentUnit"),
            ("委员会", "GovernmentUnit"),
            ("管委会", "GovernmentUnit"),
            ("人民政府", "GovernmentUnit"),
            ("政府", "GovernmentUnit"),
            ("办公厅", "GovernmentUnit"),
            ("办公室", "GovernmentUnit"),
            ("领导小组", "GovernmentUnit"),
            ("局", "GovernmentUnit"),
            ("委", "GovernmentUnit"),
            ("办", "GovernmentUnit"),
            ("厅", "GovernmentUnit"),
            ("部", "GovernmentUnit"),
            ("署", "GovernmentUnit"),
        ],
        key=lambda p: -len(p[0]),
    )
)

# Words that end with a suffix character but are not units ("格局" is not a 局).
NOT_UNIT_WORDS = words(
    """
    格局 布局 大局 全局 结局 开局 当局 局面 局部 棋局 饭局 政局 时局 赌局 邮局
    西部 东部 南部 北部 中部 全部 内部 外部 局部 干部 基部 底部 头部 顶部 总部 腹部 背部 部部
    举办 创办 主办 承办 兴办 督办 开办 代办 包办 难办 怎么办 照办 查办 协办 合办 筹办 申办 经办
    试办 帮办 法办 好办
    市中心 城市中心 部委 常委 编委 评委
    餐厅 大厅 客厅 展厅 门厅 舞厅 前厅
    部署 签署 公署
    工厂 厂房 药厂 电厂
    大学生 学院派 公司法 集团化
    """
)

DIRECTION_CHARS = frozenset("东西南北中内外全上下前后左右")

# National bodies whose names are made of descriptive words (科技部 is a ministry, not a
# description); the State Council's ministries and commissions and a few common short forms.
CENTRAL_UNITS = words(
    """
    国务院 外交部 国防部 教育部 科技部 科学技术部 工业和信息化部 工信部 国家民委 公安部 民政部 司法部 财政部
    人力资源和社会保障部 人力资源社会保障部 人社部 自然资源部 生态环境部 住房和城乡建设部 住房城乡建设部 住建部
    交通运输部 水利部 农业农村部 商务部 文化和旅游部 文旅部 国家卫生健康委员会 国家卫健委 退役军人事务部
    应急管理部 审计署 国家发展和改革委员会 国家发展改革委 国家发改委 国资委 国务院国资委 海关总署 税务总局
    国家税务总局 市场监管总局 国家市场监督管理总局 国家统计局 国家能源局 国家知识产权局 国家林业和草原局
    中国人民银行 人民银行 国家金融监督管理总局 中国证监会 证监会
    """
)

# Admin-level prefixes that make a relative unit name specific ("市科技局", "县政府").
ADMIN_PREFIXES = (
    "自治区",
    "自治州",
    "国务院",
    "中共",
    "中央",
    "国家",
    "省",
    "市",
    "县",
    "区",
    "州",
    "盟",
    "旗",
    "镇",
    "乡",
)
# ... but "省级 / 市级 / 县级 / 国家级" are adjectives, not units.
ADMIN_ADJECTIVES = ("省级", "市级", "县级", "区级", "镇级", "乡级", "国家级", "地市级", "省部级")

REGION_SUFFIXES = ("自治区", "自治州", "自治县", "特别行政区", "省", "市", "县", "州", "盟", "旗")

# Province-level divisions (short forms). A region name made of one of these plus a suffix is
# a region; they also make an organisation name specific.
PROVINCES = words(
    """
    北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南
    广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 中国 中华
    """
)

# --- boundaries --------------------------------------------------------------------------------

# Tokens a name never crosses: function words, pronouns/determiners, and verbs that govern an
# organisation in policy prose (依托 X, 推进 X, 支持 X ...). Verbs that often occur *inside*
# names (建设, 发展, 服务, 管理, 研究, 创新, 合作 ...) are deliberately absent.
BOUNDARY_WORDS = words(
    """
    的 地 得 之 了 着 过 在 于 与 和 及 以及 或 或者 并 并且 同 跟 向 对 对于 为 将 把
    被 以 从 由 至 到 给 让 使 经
    等 等等 各 各类 各级 该 本 其 此 这 那 这些 那些 我 我们 我市 我省 我县 我区 全市 全省
    全县 全区 每
    关于 按照 根据 依照 通过 围绕 依托 依靠 借助 结合 加强 加快 推进 推动 支持 鼓励 引导 吸引
    引进 引入 培育 扶持
    成立 组建 设立 打造 落实 发挥 深化 实施 开展 会同 协调 带动 对接 加挂 入驻 落户 签约 签署
    牵头 负责 配合 参与
    承担 联合 共建 携手 积极 大力 着力 全力 重点 继续 进一步 充分 不断 努力 主要 优先 同时 其中
    包括 例如 如
    即 是 有 要 应 应当 需 需要 可 可以 能 能够 已 已经 正在 将要 也 还 又 再 都 均 就 才
    更 最 很 较 非常 一批 一个
    向着 面向 依据 为了 因为 所以 如果 虽然 但是 但 而 且 而且 则 却 及其 以下 以上 简称
    提升 提高 建成 创建 构建 形成 实现 完善 优化 强化 壮大 做强 做大 做优 拓展 延伸 促进 推广
    聚焦 瞄准 抢抓 用好
    表示 指出 强调 介绍 出席 召开 举行 会见 签订 达成 邀请 委托 授权 批准 同意 印发 发布 出台
    制定 编制 研究制定
    兼任 担任 任 为主 为核心 为重点 为龙头 为基础 为支撑 为统领 以来 以后 之后 之前 目前 近日
    日前 今年 去年 明年
    """
)

# POS tags (jieba) a name never contains: prepositions, conjunctions, particles, pronouns,
# numerals, punctuation.
BOUNDARY_TAGS = frozenset({"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "m", "x", "y", "e", "o"})

# Verbs that do occur inside names (应用研究院, 生产力促进中心, 自主创新示范区); any other word
# tagged as a verb ends a name.
NAME_VERBS = words(
    """
    自主 创新 应用 促进 制造 孵化 转化 转移 示范 合作 协同 融合 开发 投资 控股 发展 管理 服务
    交易 检验 检测 监督
    培训 设计 生产 加工 规划 改革 保障 建设 联合 研究 实验 试验 测试 创业 共享 研发 勘察 勘探
    运输 装备 监测 评估
    认证 保护 修复 利用 回收 再生 循环 储备 供应 供电 供水 发电 输电 开采 冶炼 铸造 焊接 复合
    增强 发光 贮氢 研磨
    治疗 养老 培养 加速 推广 营销 结算 租赁 担保 融资 招商 集成 检疫 仿制 合成 精制 提取 种植
    养殖 育种 制药 印刷
    """
)

# "建设" is part of a name only before these (建设银行, 住房和城乡建设局, 自创区建设领导小组).
JIANSHE_HEADS = words("银行 兵团 局 厅 委 部 集团 公司 投资 领导小组 指挥部 办公室 工作组 管理局 委员会")

# Measure words: a numeral ending with one (六个, 4家, 十大) is a quantity, not part of a name.
MEASURE_CHARS = frozenset("个家批项名大类种条座所户万亿千百十次年月日号")

# One-character function words jieba sometimes glues to the next word (以兰 / 在张).
GLUED_BOUNDARY_CHARS = frozenset("以在与和对向为将把被从由至到给让使及或并")

# Person titles jieba glues to a unit (科技局局长 → 科技/局局长): split off before matching.
TITLE_WORDS = (
    "董事长",
    "总经理",
    "负责人",
    "局长",
    "厅长",
    "部长",
    "院长",
    "校长",
    "所长",
    "主任",
    "书记",
    "行长",
    "处长",
    "组长",
)

# Enterprise names ending like this contain their parent's name (国家开发银行四川省分行).
BRANCH_SUFFIXES = ("分行", "支行", "分公司", "子公司", "分厂", "分院", "分所")

# Adjective-forming endings: 创新型 / 示范性 / 现代化 / 国家级 are descriptions (for words of
# three characters or more: 气化 and 文化 are nouns).
DESCRIPTIVE_ENDINGS = ("型", "性", "化", "级", "式")

# POS tags (jieba) that end a name when they start it: verbs, adverbs, pronouns, numerals...
LEADING_STRIP_TAGS = frozenset({"v", "vd", "ad", "d", "p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "m", "x"})

# Descriptive vocabulary: a suffix-headed phrase made only of these (plus adjectives and the
# suffix) describes a kind of organisation ("工程研究中心", "精细化工产业园"), not a named one.
GENERIC_WORDS = words(
    """
    产业 工业 行业 企业 经济 科技 技术 工程 研究 研发 创新 创业 服务 管理 发展 建设 设计 制造
    制造业 生产 加工 精深
    深加工 新型 现代 先进 高端 高新 高新技术 高技术 新兴 新兴产业 战略性 重点 重要 特色 优势 传统
    综合 专业 专业化
    示范 示范性 试点 标准 国家 国家级 省级 市级 县级 区级 全国 全省 全市 地方 区域 城市 城乡
    农村 乡村 国际 国内 中外
    材料 新材料 化工 精细化工 化学 生物 医药 生物医药 医疗 器械 装备 设备 机械 电子 信息 信息化
    数字 数字化 智能 智能化
    智慧 网络 软件 数据 大数据 能源 新能源 节能 环保 低碳 绿色 生态 循环 循环经济 资源 再生 利用
    综合利用 回收
    有色金属 金属 冶金 钢铁 建材 陶瓷 纺织 食品 农业 农产品 农副产品 畜产品 农畜产品 中药 中药材
    林业 牧业 渔业 旅游
    文化 教育 体育 卫生 健康 养老 物流 仓储 商贸 商务 贸易 金融 投资 融资 保险 担保 会计 法律
    咨询 交易 市场 电商 电子商务
    孵化 孵化器 加速器 众创 空间 平台 基地 集群 集聚 聚集 基础 配套 公共 共享 合作 协作 协同
    联合 联盟 转化 成果 转移
    检验 检测 认证 质量 计量 监测 测试 实验 试验 中试 工程技术 技术创新 知识产权 人才 人力 培训
    职业 技能 学科 院所
    科研 科研院所 科研机构 高校 高等院校 大学 机构 组织 单位 部门 主体 龙头 龙头企业 骨干 中小
    中小企业 小微 民营
    总部 园中园 一批 若干 多个 各类 相关 有关 其他 其它 新 大 小 高 优 强 老 好 总 分 军民
    融合 产城 产学研 企业家
    工业设计 工业互联网 互联网 物联网 人工智能 新一代 集成电路 半导体 光伏 风电 储能 电池 汽车 航空
    航天 船舶 海洋
    政务 行政 审批 政策 规划 发改 财政 税务 公安 司法 民政 统计 审计 应急 安全 安监 住建 交通
    水利 自然资源 生态环境
    文旅 卫健 医保 退役军人 市场监管 人社 工信 科学 学术 社会 公益 创意 集散 冷链 国资 园区 开发
    开放 改革 体制 机制
    有限 有限责任 股份 责任 控股 实业 集团 公司 总公司 企业集团 股份制
    校友 科技成果 商业 商业银行 领导 领导小组 工作 办公 小组 专项 项目 重大 示范园区 产业园 工业园
    新区 高新区 开发区
    """
)

# Common words jieba tags as proper nouns (nr/ns) that are not names.
NOT_PROPER = words(
    """
    城市 深度 新旧 宜居 密封 阳极 智慧 文明 贡献率 大力支持 小镇 戈壁 智能化 高纯锌 归根 东西
    西北 东北 西南 东南 华北 华东
    华南 华中 中东部 中西部 东中西部 沿海 内地 中部 西部 东部 南部 北部 省内外 国内外 海内外 高新区
    """
)

# Words ending with 区 that are not districts (华东地区, 城区, 景区 …).
NOT_DISTRICT = (
    "地区",
    "城区",
    "社区",
    "景区",
    "山区",
    "片区",
    "小区",
    "辖区",
    "灌区",
    "园区",
    "街区",
    "矿区",
    "牧区",
    "林区",
    "老区",
    "特区",
    "新区",
    "功能区",
    "集聚区",
    "商贸区",
    "市区",
    "县区",
    "区县",
    "郊区",
    "库区",
    "湾区",
    "经济区",
    "示范区",
    "试验区",
)

PROPER_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "j", "eng"})

# Words a jieba frequency at or above this is "common vocabulary" (not a name part) unless tagged
# as a proper noun. Names' distinctive parts (刘川, 银东, 郝氏, 中天...) are rare or unknown words.
COMMON_FREQ = 800

# --- document structure ------------------------------------------------------------------------

CN_NUM = "一二三四五六七八九十百零〇"
HEADING_L1 = re.compile(rf"^\s*([{CN_NUM}]+)\s*[、.．]\s*")
HEADING_L2 = re.compile(rf"^\s*[(（]\s*([{CN_NUM}]+)\s*[)）]\s*")
HEADING_L3 = re.compile(r"^\s*(\d{1,2})\s*(?:[.．、](?!\d)|[)）])\s*")
HEADING_L3B = re.compile(r"^\s*[(（]\s*(\d{1,2})\s*[)）]\s*")
MAX_TITLE_CHARS = 20  # a heading longer than this ran into its paragraph (no title)
TITLE_END = re.compile(r"[。;；:：,，!！?？]")

ROLE_KEYS: dict[str, str] = {
    "牵头单位": "LEADS",
    "牵头部门": "LEADS",
    "牵头领导": "LEADS",
    "责任单位": "RESPONSIBLE_FOR",
    "责任部门": "RESPONSIBLE_FOR",
    "配合单位": "RESPONSIBLE_FOR",
    "配合部门": "RESPONSIBLE_FOR",
    "参与单位": "RESPONSIBLE_FOR",
    "协办单位": "RESPONSIBLE_FOR",
    "实施主体": "IMPLEMENTS",
    "实施单位": "IMPLEMENTS",
    "承办单位": "IMPLEMENTS",
}
ROLE_RE = re.compile(r"(" + "|".join(sorted(ROLE_KEYS, key=len, reverse=True)) + r")\s*[:：]\s*")
ROLE_ITEM_SPLIT = re.compile(r"[、,，;；/\s]+")
ROLE_ITEM_VAGUE = frozenset({"相关部门", "有关部门", "相关单位", "有关单位", "各相关单位", "各有关单位", "各成员单位"})

SENTENCE_END = re.compile(r"[。!！?？;；\n]")
CLAUSE_END = re.compile(r"[。!！?？;；\n,，:：]")

PUNCT = frozenset("。,，、;；:：!！?？“”‘’\"'()（）《》〈〉【】[]{}<>「」『』—–―-－~～·…/\\|　 \t\r\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def text(self, doc_text: str) -> str:
        return doc_text[self.start : self.end]


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def has_letter(s: str) -> bool:
    return any(is_cjk(c) or c.isalpha() for c in s)


def cjk_count(s: str) -> int:
    return sum(1 for c in s if is_cjk(c))


def is_punct(s: str) -> bool:
    return bool(s) and all(c in PUNCT or c.isspace() for c in s)


def org_suffix(token: str) -> tuple[str, str] | None:
    """(suffix, label) if ``token`` ends with an organisation suffix and is a unit word."""
    if token in NOT_UNIT_WORDS:
        return None
    for suffix, label in ORG_SUFFIXES:
        if token.endswith(suffix):
            # 中东部 / 西北部 / 全局: directions and quantities, not units
            if len(suffix) == 1 and len(token) >= 2 and token[-2] in DIRECTION_CHARS:
                return None
            return suffix, label
    return None


def covered_by(word: str, pieces: frozenset[str], max_piece: int = 6) -> bool:
    """Whether ``word`` splits entirely into ``pieces`` (精细化工 + 产业, 省级 + 重点)."""
    n = len(word)
    ok = [False] * (n + 1)
    ok[0] = True
    for i in range(n):
        if not ok[i]:
            continue
        for j in range(i + 1, min(n, i + max_piece) + 1):
            if word[i:j] in pieces:
                ok[j] = True
    return ok[n]


def sentences(text: str) -> Iterator[Span]:
    """Sentence spans (split at 。!?; and line ends), whitespace trimmed, empty ones skipped."""
    start = 0
    for m in SENTENCE_END.finditer(text):
        yield from _trimmed(text, start, m.end())
        start = m.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield Span(start, end)


def lines(text: str) -> Iterator[Span]:
    """Line spans (without the line break)."""
    start = 0
    for m in re.finditer(r"\r\n|\n|\r", text):
        yield Span(start, m.start())
        start = m.end()
    yield Span(start, len(text))
