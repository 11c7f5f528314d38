"""Address pool: real provinces, prefecture cities, districts and streets of mainland China.

The province → city → district hierarchy is real (checked against the administrative divisions);
streets are well-known streets of that district. Postcodes are the city's postcode with a
representative district suffix: realistic-looking, not authoritative. Area codes are the real
landline prefixes. For the four municipalities the "province" is the city itself, as written
on Chinese forms (北京市朝阳区…).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class District:
    """A district (区) with its postcode and a few real streets."""

    name: str
    postcode: str
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class City:
    """A prefecture-level city (or municipality) and the stores the company runs there."""

    province: str
    name: str
    pinyin: str
    area_code: str
    weight: float
    districts: tuple[District, ...]
    stores: tuple[str, ...] = ()  # district names with a store

    @property
    def is_municipality(self) -> bool:
        """True for 北京/上海/天津/重庆, whose addresses omit a separate province."""
        return self.province == self.name


def _d(name: str, postcode: str, streets: str) -> District:
    return District(name, postcode, tuple(streets.split()))


# fmt: off
CITIES: tuple[City, ...] = (
    City("北京市", "北京市", "Beijing", "010", 9.0, (
        _d("朝阳区", "100020", "建国路 朝阳北路 工体北路 望京街 东三环中路"),
        _d("海淀区", "100080", "中关村大街 学院路 知春路 海淀大街"),
        _d("东城区", "100010", "王府井大街 东直门内大街 东四北大街"),
        _d("西城区", "100032", "西单北大街 金融大街 阜成门内大街"),
        _d("丰台区", "100071", "丰台北路 南三环西路 科学城路"),
    ), ("朝阳区", "海淀区")),
    City("上海市", "上海市", "Shanghai", "021", 10.0, (
        _d("浦东新区", "200120", "世纪大道 张杨路 陆家嘴环路 浦东南路"),
        _d("黄浦区", "200001", "南京东路 淮海中路 西藏中路"),
        _d("徐汇区", "200030", "漕溪北路 衡山路 肇嘉浜路 天钥桥路"),
        _d("静安区", "200040", "南京西路 延安中路 江宁路"),
        _d("长宁区", "200050", "长宁路 愚园路 天山路"),
        _d("闵行区", "201100", "七莘路 莘庄路 都市路"),
    ), ("浦东新区", "徐汇区", "静安区")),
    City("天津市", "天津市", "Tianjin", "022", 3.0, (
        _d("和平区", "300041", "南京路 滨江道 营口道"),
        _d("南开区", "300100", "鞍山西道 南马路 白堤路"),
        _d("河西区", "300202", "友谊路 围堤道 黑牛城道"),
    )),
    City("重庆市", "重庆市", "Chongqing", "023", 4.0, (
        _d("渝中区", "400010", "民族路 中山一路 解放碑步行街 五一路"),
        _d("江北区", "400020", "建新北路 观音桥步行街 北城天街"),
        _d("南岸区", "400060", "南坪正街 江南大道 南滨路"),
    )),
    City("广东省", "广州市", "Guangzhou", "020", 9.0, (
        _d("天河区", "510620", "体育西路 天河路 天河北路 林和西路 珠江新城华夏路"),
        _d("越秀区", "510030", "北京路 中山五路 东风中路 环市东路"),
        _d("海珠区", "510220", "江南大道中 新港西路 工业大道"),
        _d("番禺区", "511400", "市桥街繁华路 番禺大道北 迎宾路"),
        _d("白云区", "510405", "白云大道北 机场路 同和路"),
    ), ("天河区", "越秀区", "番禺区")),
    City("广东省", "深圳市", "Shenzhen", "0755", 8.0, (
        _d("福田区", "518048", "深南大道 华强北路 福华三路 益田路"),
        _d("南山区", "518052", "南海大道 后海大道 科技南路 南山大道"),
        _d("罗湖区", "518001", "人民南路 东门中路 深南东路"),
        _d("宝安区", "518101", "宝安大道 新安六路 建安一路"),
    ), ("福田区", "南山区")),
    City("广东省", "佛山市", "Foshan", "0757", 3.0, (
        _d("禅城区", "528000", "祖庙路 季华五路 汾江中路"),
        _d("南海区", "528200", "南海大道北 桂城海八路 灯湖东路"),
        _d("顺德区", "528300", "大良凤山中路 德胜东路 清晖路"),
    )),
    City("广东省", "东莞市", "Dongguan", "0769", 3.0, (
        _d("莞城街道", "523000", "市桥路 东正路 运河东一路"),
        _d("南城街道", "523070", "鸿福路 宏图路 元美路"),
    )),
    City("浙江省", "杭州市", "Hangzhou", "0571", 6.0, (
        _d("西湖区", "310012", "文三路 天目山路 曙光路 教工路"),
        _d("上城区", "310002", "解放路 延安路 庆春路"),
        _d("拱墅区", "310011", "莫干山路 湖墅南路 上塘路"),
        _d("滨江区", "310051", "江南大道 滨盛路 长河路"),
    ), ("西湖区", "上城区")),
    City("浙江省", "宁波市", "Ningbo", "0574", 2.5, (
        _d("海曙区", "315000", "中山西路 解放南路 药行街"),
        _d("鄞州区", "315100", "天童南路 四明中路 宁南南路"),
    )),
    City("江苏省", "南京市", "Nanjing", "025", 5.0, (
        _d("玄武区", "210018", "中山路 北京东路 珠江路"),
        _d("鼓楼区", "210008", "中山北路 湖南路 广州路"),
        _d("秦淮区", "210001", "中华路 太平南路 建康路"),
        _d("建邺区", "210019", "江东中路 应天大街 庐山路"),
    ), ("玄武区", "鼓楼区")),
    City("江苏省", "苏州市", "Suzhou", "0512", 4.0, (
        _d("姑苏区", "215005", "人民路 干将西路 观前街"),
        _d("吴中区", "215128", "东吴北路 宝带西路 吴中大道"),
        _d("虎丘区", "215011", "狮山路 长江路 竹园路"),
    )),
    City("江苏省", "无锡市", "Wuxi", "0510", 2.0, (
        _d("梁溪区", "214002", "中山路 人民中路 解放南路"),
        _d("滨湖区", "214072", "梁溪路 太湖大道 蠡湖大道"),
    )),
    City("四川省", "成都市", "Chengdu", "028", 6.0, (
        _d("锦江区", "610021", "春熙路 东大街 红星路三段"),
        _d("武侯区", "610041", "人民南路四段 科华北路 一环路南四段"),
        _d("青羊区", "610031", "人民中路一段 西御街 蜀都大道"),
        _d("成华区", "610051", "建设路 府青路 双庆路"),
    ), ("锦江区", "武侯区")),
    City("湖北省", "武汉市", "Wuhan", "027", 5.0, (
        _d("江汉区", "430022", "解放大道 江汉路 建设大道"),
        _d("武昌区", "430071", "中南路 中北路 武珞路"),
        _d("洪山区", "430074", "珞喻路 鲁磨路 雄楚大道"),
    ), ("江汉区", "武昌区")),
    City("湖南省", "长沙市", "Changsha", "0731", 3.5, (
        _d("岳麓区", "410006", "麓山南路 岳麓大道 枫林三路"),
        _d("芙蓉区", "410011", "五一大道 芙蓉中路 八一路"),
        _d("天心区", "410004", "书院路 劳动西路 黄兴南路"),
    )),
    City("陕西省", "西安市", "Xi'an", "029", 4.0, (
        _d("雁塔区", "710061", "长安南路 小寨东路 科技路 高新路"),
        _d("碑林区", "710001", "东大街 南大街 友谊西路"),
        _d("新城区", "710004", "解放路 东五路 长乐西路"),
    )),
    City("山东省", "济南市", "Jinan", "0531", 2.5, (
        _d("历下区", "250011", "泉城路 经十路 解放路"),
        _d("市中区", "250001", "经四路 纬二路 英雄山路"),
    )),
    City("山东省", "青岛市", "Qingdao", "0532", 3.0, (
        _d("市南区", "266071", "香港中路 中山路 东海西路"),
        _d("崂山区", "266100", "海尔路 松岭路 苗岭路"),
    )),
    City("福建省", "福州市", "Fuzhou", "0591", 2.0, (
        _d("鼓楼区", "350001", "五四路 东街 杨桥中路"),
        _d("台江区", "350004", "八一七中路 工业路 江滨中大道"),
    )),
    City("福建省", "厦门市", "Xiamen", "0592", 2.0, (
        _d("思明区", "361001", "中山路 厦禾路 湖滨南路"),
        _d("湖里区", "361006", "枋湖路 嘉禾路 湖里大道"),
    )),
    City("河南省", "郑州市", "Zhengzhou", "0371", 3.5, (
        _d("金水区", "450003", "花园路 金水路 经三路"),
        _d("二七区", "450052", "大学路 二七路 航海中路"),
    )),
    City("辽宁省", "沈阳市", "Shenyang", "024", 2.5, (
        _d("和平区", "110001", "太原北街 南京北街 十一纬路"),
        _d("沈河区", "110011", "青年大街 中街路 北站路"),
    )),
    City("辽宁省", "大连市", "Dalian", "0411", 2.0, (
        _d("中山区", "116001", "人民路 中山路 友好路"),
        _d("沙河口区", "116021", "西安路 中山路 五一路"),
    )),
    City("安徽省", "合肥市", "Hefei", "0551", 2.5, (
        _d("蜀山区", "230031", "长江西路 潜山路 黄山路"),
        _d("庐阳区", "230001", "长江中路 淮河路 阜南路"),
    )),
    City("云南省", "昆明市", "Kunming", "0871", 2.0, (
        _d("五华区", "650031", "东风西路 人民中路 南屏街"),
        _d("盘龙区", "650051", "北京路 东风东路 白塔路"),
    )),
    City("黑龙江省", "哈尔滨市", "Harbin", "0451", 2.0, (
        _d("道里区", "150010", "中央大街 经纬街 友谊路"),
        _d("南岗区", "150001", "西大直街 红军街 果戈里大街"),
    )),
    City("河北省", "石家庄市", "Shijiazhuang", "0311", 2.0, (
        _d("长安区", "050011", "中山东路 建设北大街 胜利北大街"),
        _d("桥西区", "050051", "中华南大街 裕华西路 新华路"),
    )),
    City("江西省", "南昌市", "Nanchang", "0791", 1.5, (
        _d("东湖区", "330006", "八一大道 中山路 阳明路"),
        _d("西湖区", "330009", "孺子路 系马桩 站前路"),
    )),
    City("广西壮族自治区", "南宁市", "Nanning", "0771", 1.5, (
        _d("青秀区", "530022", "民族大道 东葛路 金湖路"),
        _d("兴宁区", "530012", "朝阳路 民生路 兴宁路"),
    )),
)
# fmt: on
CITY_CUM = tuple(accumulate(c.weight for c in CITIES))
STORE_CITY_CUM = tuple(accumulate(c.weight if c.stores else 0.0 for c in CITIES))

# Residential compound names appended to a street address ("阳光花园3栋502室").
COMPOUNDS = (
    "阳光花园",
    "翠苑小区",
    "锦绣华庭",
    "金色家园",
    "碧桂园",
    "万科城",
    "保利花园",
    "绿地新都会",
    "世纪新城",
    "滨江花园",
    "幸福里",
    "紫荆苑",
    "东方名城",
    "龙湖时代天街",
    "和谐家园",
    "香榭丽舍",
)


@dataclass(frozen=True, slots=True)
class Store:
    """A physical store: id like 'GZ-TH' and name like '广州天河店'."""

    store_id: str
    name: str
    city: City


_STORE_CODES = {
    "Beijing": "BJ",
    "Shanghai": "SH",
    "Guangzhou": "GZ",
    "Shenzhen": "SZ",
    "Hangzhou": "HZ",
    "Nanjing": "NJ",
    "Chengdu": "CD",
    "Wuhan": "WH",
}


def _stores() -> tuple[Store, ...]:
    stores = []
    for city in CITIES:
        for number, district in enumerate(city.stores, start=1):
            short_city = city.name.removesuffix("市")
            short_district = district.removesuffix("新区").removesuffix("区")
            code = f"{_STORE_CODES[city.pinyin]}{number:02d}"
            stores.append(Store(code, f"{short_city}{short_district}店", city))
    return tuple(stores)


STORES: tuple[Store, ...] = _stores()
STORES_BY_CITY: dict[str, tuple[Store, ...]] = {
    c.name: tuple(s for s in STORES if s.city is c) for c in CITIES
}
