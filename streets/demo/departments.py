"""The demo city's departments: the municipal bureaus, utility companies and a few district
bureaus that the 12345 hotline dispatches to. Names follow Beijing's usual short forms."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    name_en: str
    is_utility: bool = False
    district_code: str | None = None  # set for a district-level bureau

    @property
    def level(self) -> str:
        return "district" if self.district_code else "municipal"


D = DepartmentSpec

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    # Municipal commissions and bureaus.
    D("DEP-HOUSING", "市住房城乡建设委", "Municipal Commission of Housing and Urban-Rural Development"),
    D("DEP-URBAN", "市城市管理委", "Municipal Commission of Urban Management"),
    D("DEP-WATERAUTH", "市水务局", "Municipal Water Authority"),
    D("DEP-TRANSPORT", "市交通委", "Municipal Commission of Transport"),
    D("DEP-TRAFFIC", "市公安局公安交通管理局", "Traffic Management Bureau, Municipal Public Security Bureau"),
    D("DEP-POLICE", "市公安局", "Municipal Public Security Bureau"),
    D("DEP-MARKET", "市市场监管局", "Municipal Administration for Market Regulation"),
    D("DEP-ECO", "市生态环境局", "Municipal Ecology and Environment Bureau"),
    D("DEP-EDU", "市教委", "Municipal Education Commission"),
    D("DEP-HEALTH", "市卫生健康委", "Municipal Health Commission"),
    D("DEP-LABOUR", "市人力社保局", "Municipal Human Resources and Social Security Bureau"),
    D("DEP-CIVIL", "市民政局", "Municipal Civil Affairs Bureau"),
    D("DEP-PLANNING", "市规划自然资源委", "Municipal Commission of Planning and Natural Resources"),
    D("DEP-GREEN", "市园林绿化局", "Municipal Forestry and Parks Bureau"),
    D("DEP-CULTURE", "市文化和旅游局", "Municipal Culture and Tourism Bureau"),
    D("DEP-MEDINS", "市医保局", "Municipal Healthcare Security Bureau"),
    D("DEP-TAX", "市税务局", "Beijing Municipal Tax Service"),
    D("DEP-FIRE", "市消防救援总队", "Beijing Fire and Rescue Corps"),
    D("DEP-EMERGENCY", "市应急管理局", "Municipal Emergency Management Bureau"),
    D("DEP-COMMERCE", "市商务局", "Municipal Commerce Bureau"),
    D("DEP-SPORT", "市体育局", "Municipal Sports Bureau"),
    D("DEP-VETERANS", "市退役军人事务局", "Municipal Veterans Affairs Bureau"),
    D("DEP-DISABLED", "市残联", "Beijing Disabled Persons' Federation"),
    D("DEP-HPF", "市住房公积金管理中心", "Beijing Housing Provident Fund Management Center"),
    D("DEP-DRUG", "市药监局", "Municipal Medical Products Administration"),
    D("DEP-FINANCE", "市金融监管局", "Municipal Financial Supervision Bureau"),
    D("DEP-COMMS", "北京市通信管理局", "Beijing Communications Administration"),
    D("DEP-POST", "北京市邮政管理局", "Beijing Postal Administration"),
    # Utilities and public service companies.
    D("DEP-WATER", "北京市自来水集团", "Beijing Waterworks Group", is_utility=True),
    D("DEP-DRAINAGE", "北京城市排水集团", "Beijing Drainage Group", is_utility=True),
    D("DEP-POWER", "国网北京市电力公司", "State Grid Beijing Electric Power Company", is_utility=True),
    D("DEP-GAS", "北京燃气集团", "Beijing Gas Group", is_utility=True),
    D("DEP-HEAT", "北京热力集团", "Beijing District Heating Group", is_utility=True),
    D("DEP-BUS", "北京公交集团", "Beijing Public Transport Group"),
    D("DEP-SUBWAY", "北京地铁", "Beijing Subway", is_utility=True),
    D("DEP-UNICOM", "中国联通北京分公司", "China Unicom Beijing Branch", is_utility=True),
    D("DEP-MOBILE", "中国移动北京公司", "China Mobile Beijing", is_utility=True),
    D("DEP-TELECOM", "中国电信北京分公司", "China Telecom Beijing Branch", is_utility=True),
    # District bureaus (the duty list names none of them; they show the district level exists).
    D("DEP-D01-CHENGGUAN", "东城区城管执法局", "Dongcheng District Urban Management Enforcement Bureau",
      district_code="D01"),
    D("DEP-D03-EDU", "朝阳区教委", "Chaoyang District Education Commission", district_code="D03"),
    D("DEP-D04-MARKET", "海淀区市场监管局", "Haidian District Market Regulation Bureau", district_code="D04"),
    D("DEP-D09-WATER", "通州区水务局", "Tongzhou District Water Authority", district_code="D09"),
)
