"""Fixed word lists the demo generator draws from: countries, places, names and phrases.

Everything here is fictional or generic; real cities are used only as places, never as real institutions' data.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

# The texts the models read live in their own apps (below the demo); the demo writes them.
from twinning.directory.shipped import INSTITUTION_DESCRIPTIONS as INSTITUTION_DESCRIPTIONS
from twinning.partnerships.shipped import THEMES as THEMES


@dataclass(frozen=True)
class Country:
    code: str
    host: bool
    style: str  # which institution-name templates fit ("en", "es", "fr", "pt", "east", "de", "nl", "nordic")
    languages: tuple[str, ...]  # ISO 639-1; the first is the working language
    time_zone: str
    places: tuple[tuple[str, str], ...]  # (city, region)
    given: tuple[str, ...]
    family: tuple[str, ...]
    ministry: str = "Ministry of Health"
    strategy: str = ""  # the document the ministry's priorities come from


def _country(
    code: str,
    host: bool,
    style: str,
    languages: str,
    time_zone: str,
    *,
    places: str,
    given: str,
    family: str,
    ministry: str = "Ministry of Health",
    strategy: str = "",
) -> Country:
    """A country from compact text: languages space-separated, places as "City: Region; ...", names
    comma-separated (some family names have spaces, like "de Vries")."""
    return Country(
        code=code,
        host=host,
        style=style,
        languages=tuple(languages.split()),
        time_zone=time_zone,
        places=tuple((city, region) for city, region in (p.split(": ") for p in places.split("; "))),
        given=tuple(given.split(", ")),
        family=tuple(family.split(", ")),
        ministry=ministry,
        strategy=strategy,
    )


# The first 18 are the default demo's countries; the large profile uses all 34.
COUNTRIES: tuple[Country, ...] = (
    _country(
        "UG",
        True,
        "en",
        "en lg sw",
        "Africa/Kampala",
        places="Gulu: Northern; Mbarara: Western; Jinja: Eastern; Lira: Northern; Masaka: Central; Fort Portal: Western; Mbale: Eastern; Arua: West Nile",
        given="Joseph, Grace, Moses, Florence, Isaac, Harriet, Ronald, Sarah, Patrick, Agnes, Brian, Esther",
        family="Okello, Nakato, Mugisha, Auma, Ssempala, Namubiru, Opio, Tumusiime, Achan, Kato, Atuhaire, Nansubuga",
        strategy="Health Sector Development Plan 2025/26–2029/30",
    ),
    _country(
        "KE",
        True,
        "en",
        "en sw",
        "Africa/Nairobi",
        places="Kisumu: Kisumu County; Nakuru: Nakuru County; Eldoret: Uasin Gishu County; Machakos: Machakos County; Nyeri: Nyeri County; Kakamega: Kakamega County; Garissa: Garissa County",
        given="Wanjiru, Kamau, Achieng, Otieno, Njeri, Kiprono, Akinyi, Mwangi, Chebet, Odhiambo, Wambui, Kibet",
        family="Mwangi, Otieno, Kariuki, Wekesa, Cheruiyot, Njoroge, Omondi, Kiptoo, Muthoni, Wafula, Ndungu, Jeptoo",
        strategy="Kenya Health Sector Strategic Plan 2023–2027",
    ),
    _country(
        "TZ",
        True,
        "en",
        "sw en",
        "Africa/Dar_es_Salaam",
        places="Mwanza: Mwanza Region; Dodoma: Dodoma Region; Moshi: Kilimanjaro Region; Mbeya: Mbeya Region; Tanga: Tanga Region; Iringa: Iringa Region; Morogoro: Morogoro Region",
        given="Neema, Baraka, Rehema, Juma, Zawadi, Hamisi, Upendo, Salim, Amani, Faraji, Imani, Rashidi",
        family="Mushi, Mollel, Massawe, Mrema, Kimaro, Lyimo, Mwakyusa, Shirima, Swai, Temba, Msuya, Nyerere",
        ministry="Ministry of Health, Community Development, Gender, Elderly and Children",
        strategy="Health Sector Strategic Plan V (2021–2026)",
    ),
    _country(
        "ET",
        True,
        "en",
        "am en",
        "Africa/Addis_Ababa",
        places="Gondar: Amhara; Hawassa: Sidama; Mekelle: Tigray; Jimma: Oromia; Bahir Dar: Amhara; Adama: Oromia; Dessie: Amhara",
        given="Abebe, Tigist, Dawit, Hanna, Yonas, Selam, Bereket, Meron, Tesfaye, Almaz, Henok, Mekdes",
        family="Alemu, Tadesse, Bekele, Haile, Gebremedhin, Wolde, Assefa, Kebede, Tesfaye, Mengistu, Desta, Getachew",
        strategy="Health Sector Transformation Plan II (2020/21–2024/25)",
    ),
    _country(
        "MW",
        True,
        "en",
        "en ny",
        "Africa/Blantyre",
        places="Lilongwe: Central Region; Blantyre: Southern Region; Mzuzu: Northern Region; Zomba: Southern Region; Kasungu: Central Region; Mangochi: Southern Region",
        given="Chikondi, Mphatso, Thoko, Kondwani, Tiyamike, Limbani, Chisomo, Blessings, Madalitso, Yamikani",
        family="Banda, Phiri, Mwale, Chirwa, Kumwenda, Nyirenda, Gondwe, Mbewe, Kachingwe, Chilima",
        strategy="Health Sector Strategic Plan III (2023–2030)",
    ),
    _country(
        "GH",
        True,
        "en",
        "en ak",
        "Africa/Accra",
        places="Kumasi: Ashanti; Tamale: Northern; Cape Coast: Central; Ho: Volta; Sunyani: Bono; Takoradi: Western; Koforidua: Eastern",
        given="Kwame, Ama, Kofi, Akosua, Yaw, Efua, Kwabena, Abena, Kojo, Adwoa, Kwesi, Afia",
        family="Mensah, Owusu, Boateng, Asante, Osei, Agyeman, Appiah, Darko, Addo, Amoako, Ofori, Acheampong",
        strategy="Ghana Health Sector Medium-Term Development Plan 2022–2025",
    ),
    _country(
        "NP",
        True,
        "en",
        "ne en",
        "Asia/Kathmandu",
        places="Pokhara: Gandaki; Biratnagar: Koshi; Nepalgunj: Lumbini; Dhangadhi: Sudurpashchim; Bharatpur: Bagmati; Janakpur: Madhesh",
        given="Sita, Ramesh, Anita, Bikash, Sunita, Prakash, Gita, Sanjay, Puja, Rajendra, Kamala, Dipesh",
        family="Shrestha, Gurung, Sharma, Thapa, Adhikari, Tamang, Rai, Karki, Poudel, Magar, Joshi, Bhattarai",
        ministry="Ministry of Health and Population",
        strategy="Nepal Health Sector Strategic Plan 2023–2030",
    ),
    _country(
        "KH",
        True,
        "en",
        "km en",
        "Asia/Phnom_Penh",
        places="Battambang: Battambang Province; Siem Reap: Siem Reap Province; Kampong Cham: Kampong Cham Province; Takeo: Takeo Province; Kampot: Kampot Province",
        given="Sokha, Dara, Sophea, Vuthy, Chanthy, Rithy, Sreyneang, Bopha, Vannak, Kunthea",
        family="Chea, Sok, Kim, Heng, Chhay, Meas, Pich, Sam, Ly, Keo",
        strategy="Health Strategic Plan 2016–2020 and its 2025 update",
    ),
    _country(
        "GT",
        True,
        "es",
        "es en",
        "America/Guatemala",
        places="Quetzaltenango: Quetzaltenango; Cobán: Alta Verapaz; Huehuetenango: Huehuetenango; Escuintla: Escuintla; Chimaltenango: Chimaltenango; Zacapa: Zacapa",
        given="María, José, Ana, Luis, Carmen, Carlos, Rosa, Juan, Lucía, Miguel, Elena, Diego",
        family="López, García, Pérez, Xicará, Morales, Hernández, Tzul, Ramírez, Cux, Castillo, Ajcot, Méndez",
        ministry="Ministerio de Salud Pública y Asistencia Social",
        strategy="Plan Estratégico Institucional 2024–2028",
    ),
    _country(
        "PE",
        True,
        "es",
        "es qu",
        "America/Lima",
        places="Cusco: Cusco; Arequipa: Arequipa; Trujillo: La Libertad; Iquitos: Loreto; Puno: Puno; Piura: Piura; Huancayo: Junín",
        given="Rosa, Jorge, Luz, Víctor, Carmen, Raúl, Gladys, César, Milagros, Edwin, Yolanda, Wilber",
        family="Quispe, Mamani, Huamán, Flores, Rojas, Condori, Vargas, Chávez, Torres, Ccahuana, Salazar, Apaza",
        ministry="Ministerio de Salud del Perú",
        strategy="Plan Estratégico Sectorial Multianual de Salud 2024–2030",
    ),
    _country(
        "UA",
        True,
        "east",
        "uk en",
        "Europe/Kyiv",
        places="Lviv: Lviv Oblast; Vinnytsia: Vinnytsia Oblast; Poltava: Poltava Oblast; Chernivtsi: Chernivtsi Oblast; Ivano-Frankivsk: Ivano-Frankivsk Oblast; Zhytomyr: Zhytomyr Oblast",
        given="Olena, Andriy, Iryna, Oleksandr, Nataliia, Taras, Oksana, Dmytro, Yulia, Serhiy, Halyna, Bohdan",
        family="Kovalenko, Shevchenko, Bondarenko, Tkachenko, Melnyk, Kravchenko, Boyko, Moroz, Lysenko, Marchenko, Savchenko, Hrytsenko",
        strategy="National Health System Development Strategy to 2030",
    ),
    _country(
        "MD",
        True,
        "east",
        "ro ru en",
        "Europe/Chisinau",
        places="Chișinău: Chișinău; Bălți: Bălți; Cahul: Cahul District; Soroca: Soroca District; Orhei: Orhei District",
        given="Ion, Maria, Vasile, Elena, Andrei, Natalia, Sergiu, Tatiana, Victor, Cristina",
        family="Rusu, Ceban, Ciobanu, Lungu, Munteanu, Popa, Cojocaru, Țurcanu, Rotaru, Moraru",
        strategy="National Health Strategy 2030",
    ),
    _country(
        "US",
        False,
        "en",
        "en es",
        "America/New_York",
        places="Boston: Massachusetts; Seattle: Washington; Baltimore: Maryland; Minneapolis: Minnesota; Atlanta: Georgia; Denver: Colorado; Chicago: Illinois",
        given="Emily, Michael, Jessica, David, Sarah, James, Laura, Daniel, Rachel, Christopher, Megan, Andrew",
        family="Mitchell, Johnson, Reyes, Carter, Nguyen, Patel, Thompson, Brooks, Kim, Sullivan, Washington, Rivera",
    ),
    _country(
        "GB",
        False,
        "en",
        "en",
        "Europe/London",
        places="Edinburgh: Scotland; Bristol: South West England; Liverpool: North West England; Leeds: Yorkshire; Cardiff: Wales; Sheffield: Yorkshire; Glasgow: Scotland",
        given="Oliver, Charlotte, Thomas, Emma, William, Sophie, Harry, Lucy, George, Hannah, Jack, Eleanor",
        family="Smith, Taylor, Evans, Campbell, Hughes, Wright, Walker, Robertson, Edwards, Clarke, Murray, Price",
    ),
    _country(
        "CA",
        False,
        "en",
        "en fr",
        "America/Toronto",
        places="Toronto: Ontario; Montréal: Quebec; Halifax: Nova Scotia; Calgary: Alberta; Winnipeg: Manitoba; Vancouver: British Columbia",
        given="Liam, Chloé, Noah, Émilie, Ethan, Olivia, Mathieu, Ava, Lucas, Isabelle, Owen, Maya",
        family="Tremblay, MacDonald, Gagnon, Wilson, Roy, Campbell, Côté, Anderson, Bouchard, Singh, Fraser, Leblanc",
    ),
    _country(
        "DE",
        False,
        "de",
        "de en",
        "Europe/Berlin",
        places="Heidelberg: Baden-Württemberg; Leipzig: Saxony; Freiburg: Baden-Württemberg; Hamburg: Hamburg; Münster: North Rhine-Westphalia; Würzburg: Bavaria",
        given="Anna, Lukas, Katharina, Jonas, Julia, Felix, Miriam, Tobias, Lena, Stefan, Sabine, Matthias",
        family="Müller, Schmidt, Weber, Fischer, Becker, Hoffmann, Schäfer, Koch, Richter, Klein, Wolf, Neumann",
    ),
    _country(
        "NL",
        False,
        "nl",
        "nl en",
        "Europe/Amsterdam",
        places="Utrecht: Utrecht; Nijmegen: Gelderland; Groningen: Groningen; Leiden: South Holland; Maastricht: Limburg; Rotterdam: South Holland",
        given="Sanne, Daan, Femke, Bram, Lotte, Thijs, Eva, Jeroen, Marloes, Pieter, Anouk, Joost",
        family="de Vries, Jansen, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder, van Dijk, Bos, Hendriks",
    ),
    _country(
        "SE",
        False,
        "nordic",
        "sv en",
        "Europe/Stockholm",
        places="Uppsala: Uppsala County; Lund: Skåne County; Umeå: Västerbotten County; Gothenburg: Västra Götaland County; Linköping: Östergötland County; Örebro: Örebro County",
        given="Åsa, Erik, Ingrid, Lars, Karin, Johan, Maja, Anders, Linnéa, Magnus, Sofia, Per",
        family="Andersson, Johansson, Lindqvist, Karlsson, Nilsson, Eriksson, Larsson, Berg, Lindgren, Holm, Sandberg, Åkesson",
    ),
    _country(
        "RW",
        True,
        "en",
        "rw en fr",
        "Africa/Kigali",
        places="Huye: Southern Province; Musanze: Northern Province; Rubavu: Western Province; Rwamagana: Eastern Province; Muhanga: Southern Province",
        given="Jean, Claudine, Eric, Aline, Emmanuel, Divine, Patrick, Josiane, Innocent, Vestine",
        family="Uwimana, Habimana, Mukamana, Niyonzima, Uwase, Nshimiyimana, Ingabire, Mugabo, Iradukunda, Hakizimana",
        strategy="Fifth Health Sector Strategic Plan (2024–2029)",
    ),
    _country(
        "ZM",
        True,
        "en",
        "en ny",
        "Africa/Lusaka",
        places="Ndola: Copperbelt; Kitwe: Copperbelt; Livingstone: Southern; Chipata: Eastern; Kasama: Northern; Kabwe: Central",
        given="Mutale, Chanda, Bwalya, Mwila, Musonda, Natasha, Kelvin, Memory, Brian, Precious",
        family="Banda, Mulenga, Phiri, Tembo, Zulu, Mwanza, Chileshe, Kabwe, Lungu, Sakala",
        strategy="National Health Strategic Plan 2022–2026",
    ),
    _country(
        "MZ",
        True,
        "pt",
        "pt en",
        "Africa/Maputo",
        places="Beira: Sofala; Nampula: Nampula; Quelimane: Zambézia; Tete: Tete; Pemba: Cabo Delgado; Xai-Xai: Gaza",
        given="Ana, João, Célia, Manuel, Rosa, Armando, Fátima, Carlos, Graça, Alberto",
        family="Macuácua, Sitoe, Mondlane, Cossa, Machava, Nhantumbo, Langa, Tembe, Chissano, Mabunda",
        ministry="Ministério da Saúde",
        strategy="Plano Estratégico do Sector da Saúde 2024–2030",
    ),
    _country(
        "SL",
        True,
        "en",
        "en",
        "Africa/Freetown",
        places="Bo: Southern Province; Kenema: Eastern Province; Makeni: Northern Province; Port Loko: North West Province; Kono: Eastern Province",
        given="Fatmata, Mohamed, Aminata, Ibrahim, Mariama, Abu, Isatu, Sahr, Hawa, Alhaji",
        family="Kamara, Sesay, Koroma, Bangura, Conteh, Kargbo, Turay, Jalloh, Mansaray, Kanu",
        strategy="National Health Sector Strategic Plan 2021–2025",
    ),
    _country(
        "LR",
        True,
        "en",
        "en",
        "Africa/Monrovia",
        places="Gbarnga: Bong County; Buchanan: Grand Bassa County; Ganta: Nimba County; Harper: Maryland County; Zwedru: Grand Gedeh County",
        given="Comfort, Emmanuel, Musu, Joseph, Korpo, Prince, Yamah, Samuel, Mamie, Augustine",
        family="Kollie, Flomo, Togba, Doe, Kpoto, Johnson, Sumo, Weah, Tarr, Gbollie",
        strategy="National Health Sector Strategic Plan 2022–2026",
    ),
    _country(
        "CM",
        True,
        "fr",
        "fr en",
        "Africa/Douala",
        places="Bamenda: North-West; Bafoussam: West; Garoua: North; Ngaoundéré: Adamawa; Bertoua: East; Ebolowa: South",
        given="Aïcha, Jean-Pierre, Mireille, Serge, Clarisse, Hervé, Brigitte, Olivier, Nadège, Blaise",
        family="Nkwenti, Mbarga, Fotso, Tchoupo, Ndongo, Ngassa, Ewane, Kamga, Abena, Djoumessi",
        ministry="Ministère de la Santé Publique",
        strategy="Stratégie Sectorielle de Santé 2020–2030",
    ),
    _country(
        "BD",
        True,
        "en",
        "bn en",
        "Asia/Dhaka",
        places="Sylhet: Sylhet Division; Rajshahi: Rajshahi Division; Khulna: Khulna Division; Rangpur: Rangpur Division; Barishal: Barishal Division; Mymensingh: Mymensingh Division",
        given="Farhana, Rahim, Nusrat, Tanvir, Shirin, Kamal, Sadia, Arif, Roksana, Mahbub",
        family="Rahman, Hossain, Islam, Ahmed, Chowdhury, Begum, Akter, Uddin, Sarker, Khatun",
        ministry="Ministry of Health and Family Welfare",
        strategy="Fifth Health, Population and Nutrition Sector Programme",
    ),
    _country(
        "LA",
        True,
        "en",
        "lo en fr",
        "Asia/Vientiane",
        places="Luang Prabang: Luang Prabang Province; Savannakhet: Savannakhet Province; Pakse: Champasak Province; Thakhek: Khammouane Province; Oudomxay: Oudomxay Province",
        given="Bounmy, Khamla, Somphone, Noy, Vilay, Phonesavanh, Keo, Souksavanh, Manivone, Thongchanh",
        family="Phommachanh, Sisavath, Keomany, Vongsa, Inthavong, Souvannavong, Chanthavong, Xayavong, Phanthavong, Sengdara",
        strategy="Ninth Health Sector Development Plan 2021–2025",
    ),
    _country(
        "VN",
        True,
        "en",
        "vi en",
        "Asia/Ho_Chi_Minh",
        places="Huế: Thừa Thiên Huế; Cần Thơ: Cần Thơ; Đà Nẵng: Đà Nẵng; Thái Nguyên: Thái Nguyên; Quy Nhơn: Bình Định; Vinh: Nghệ An",
        given="Linh, Minh, Hương, Tuấn, Lan, Dũng, Mai, Hùng, Thảo, Quang",
        family="Nguyễn, Trần, Lê, Phạm, Hoàng, Vũ, Đặng, Bùi, Đỗ, Huỳnh",
        strategy="Five-Year Health Sector Development Plan 2021–2025",
    ),
    _country(
        "BO",
        True,
        "es",
        "es qu",
        "America/La_Paz",
        places="Cochabamba: Cochabamba; Sucre: Chuquisaca; Potosí: Potosí; Tarija: Tarija; Oruro: Oruro; Trinidad: Beni",
        given="Juana, Marco, Silvia, Fernando, Patricia, René, Marisol, Álvaro, Ximena, Freddy",
        family="Choque, Mamani, Gutiérrez, Vargas, Quispe, Rojas, Aguilar, Limachi, Flores, Paredes",
        ministry="Ministerio de Salud y Deportes",
        strategy="Plan Sectorial de Desarrollo Integral para Vivir Bien 2021–2025",
    ),
    _country(
        "HN",
        True,
        "es",
        "es en",
        "America/Tegucigalpa",
        places="San Pedro Sula: Cortés; La Ceiba: Atlántida; Choluteca: Choluteca; Comayagua: Comayagua; Juticalpa: Olancho",
        given="Karla, Osman, Gabriela, Wilmer, Sonia, Héctor, Dilcia, Nelson, Lesly, Mario",
        family="Martínez, Zelaya, Mejía, Banegas, Rodríguez, Cálix, Reyes, Euceda, Funes, Matute",
        ministry="Secretaría de Salud de Honduras",
        strategy="Plan Nacional de Salud 2021–2030",
    ),
    _country(
        "GE",
        True,
        "east",
        "ka en ru",
        "Asia/Tbilisi",
        places="Kutaisi: Imereti; Batumi: Adjara; Rustavi: Kvemo Kartli; Zugdidi: Samegrelo; Telavi: Kakheti",
        given="Nino, Giorgi, Tamar, Levan, Mariam, David, Ketevan, Irakli, Natia, Zurab",
        family="Beridze, Kapanadze, Gelashvili, Maisuradze, Lomidze, Tsiklauri, Bolkvadze, Nozadze, Abashidze, Japaridze",
        ministry="Ministry of Internally Displaced Persons, Labour, Health and Social Affairs",
        strategy="National Healthcare Strategy 2022–2030",
    ),
    _country(
        "KG",
        True,
        "east",
        "ky ru en",
        "Asia/Bishkek",
        places="Osh: Osh Region; Jalal-Abad: Jalal-Abad Region; Karakol: Issyk-Kul Region; Naryn: Naryn Region; Talas: Talas Region",
        given="Aigul, Bakyt, Nurgul, Azamat, Cholpon, Erlan, Gulnara, Talant, Asel, Nurlan",
        family="Asanova, Bekov, Osmonova, Mamatov, Dzhumabaeva, Sydykov, Abdyldaeva, Toktogulov, Isakova, Kadyrov",
        strategy="Healthy Person – Prosperous Country Programme 2019–2030",
    ),
    _country(
        "IE",
        False,
        "en",
        "en ga",
        "Europe/Dublin",
        places="Galway: Connacht; Cork: Munster; Limerick: Munster; Dublin: Leinster",
        given="Aoife, Seán, Niamh, Ciarán, Siobhán, Conor, Róisín, Declan, Orla, Pádraig",
        family="Murphy, Kelly, O'Sullivan, Walsh, Byrne, Ryan, O'Brien, Doyle, McCarthy, Gallagher",
    ),
    _country(
        "NO",
        False,
        "nordic",
        "nb en",
        "Europe/Oslo",
        places="Bergen: Vestland; Trondheim: Trøndelag; Tromsø: Troms; Stavanger: Rogaland",
        given="Ingrid, Ola, Kari, Henrik, Silje, Espen, Marit, Håkon, Ragnhild, Sindre",
        family="Hansen, Olsen, Berg, Haugen, Solberg, Dahl, Lie, Bakke, Strand, Aasen",
    ),
    _country(
        "AU",
        False,
        "en",
        "en",
        "Australia/Melbourne",
        places="Melbourne: Victoria; Brisbane: Queensland; Adelaide: South Australia; Perth: Western Australia; Newcastle: New South Wales",
        given="Chloe, Jack, Mia, Lachlan, Grace, Hamish, Isla, Cooper, Zoe, Riley",
        family="Wilson, Nguyen, Martin, Kelly, Baker, O'Connor, Harris, Chen, Ross, Morris",
    ),
)

DEFAULT_COUNTRY_COUNT = 18

SAINTS = ("Mary", "Joseph", "Luke", "Francis", "Elizabeth", "Anne", "Catherine", "Paul", "Clare", "Martin")

# Institution-name templates by naming style and institution type. {city}, {region}, {country}, {saint}.
HOST_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "hospital": (
            "{city} Regional Referral Hospital",
            "{city} District Hospital",
            "{city} General Hospital",
            "St. {saint}'s Mission Hospital, {city}",
            "{city} Teaching and Referral Hospital",
            "{city} Mother and Child Hospital",
        ),
        "university": (
            "{city} University College of Health Sciences",
            "{city} University Faculty of Medicine",
        ),
        "nursing_school": ("{city} School of Nursing and Midwifery", "{city} College of Health Sciences"),
        "public_health_agency": (
            "{region} Public Health Laboratory",
            "{city} Regional Health Research Centre",
        ),
        "community": (
            "{city} Community Health Workers' Network",
            "{region} Women and Child Health Association",
        ),
        "ngo": ("{region} Health Development Trust", "{city} Hope Health Initiative"),
        "professional_association": (
            "{country} Association of Nurses and Midwives",
            "{country} Paediatric Society",
        ),
    },
    "es": {
        "hospital": (
            "Hospital Regional de {city}",
            "Hospital Departamental de {city}",
            "Hospital Materno Infantil de {city}",
            "Hospital San {saint_es} de {city}",
            "Hospital General de {city}",
        ),
        "university": (
            "Universidad de {city}, Facultad de Ciencias Médicas",
            "Universidad Nacional de {city}",
        ),
        "nursing_school": ("Escuela de Enfermería de {city}", "Escuela Técnica de Salud de {city}"),
        "public_health_agency": ("Laboratorio Regional de Salud Pública de {region}",),
        "community": ("Red Comunitaria de Salud de {city}", "Asociación de Promotores de Salud de {region}"),
        "ngo": ("Fundación Salud para {region}",),
        "professional_association": ("Colegio de Enfermeras de {country}",),
    },
    "fr": {
        "hospital": (
            "Hôpital Régional de {city}",
            "Hôpital de District de {city}",
            "Centre Hospitalier de {city}",
        ),
        "university": ("Faculté de Médecine et des Sciences Biomédicales de {city}",),
        "nursing_school": ("École des Infirmiers et Sages-Femmes de {city}",),
        "public_health_agency": ("Délégation Régionale de la Santé Publique, {region}",),
        "community": ("Réseau Communautaire de Santé de {city}",),
        "ngo": ("Association Santé pour Tous, {region}",),
        "professional_association": ("Ordre National des Infirmiers du {country}",),
    },
    "pt": {
        "hospital": (
            "Hospital Provincial de {city}",
            "Hospital Distrital de {city}",
            "Hospital Central de {city}",
        ),
        "university": ("Faculdade de Ciências de Saúde de {city}",),
        "nursing_school": ("Instituto de Ciências de Saúde de {city}",),
        "public_health_agency": ("Direcção Provincial de Saúde de {region}",),
        "community": ("Rede Comunitária de Saúde de {city}",),
        "ngo": ("Associação Saúde para Todos, {region}",),
        "professional_association": ("Ordem dos Enfermeiros de {country}",),
    },
    "east": {
        "hospital": (
            "{city} Regional Clinical Hospital",
            "{city} City Maternity Hospital",
            "{city} Regional Children's Hospital",
            "{city} Emergency Care Hospital",
        ),
        "university": ("{city} State Medical University", "{city} Medical Academy"),
        "nursing_school": ("{city} Medical College",),
        "public_health_agency": ("{region} Centre for Disease Control",),
        "community": ("{city} Patients' Rights Association",),
        "ngo": ("{region} Family Health Foundation",),
        "professional_association": ("{country} Association of Family Physicians",),
    },
}

RESOURCE_TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "hospital": (
            "{city} University Hospital",
            "{city} Children's Hospital",
            "{city} Royal Infirmary",
            "{city} General Hospital",
            "{city} Women's Health Centre",
        ),
        "university": (
            "University of {city} School of Medicine",
            "{city} School of Public Health",
            "University of {city} Global Health Institute",
        ),
        "nursing_school": ("{city} College of Nursing", "{city} School of Nursing and Midwifery"),
        "professional_association": ("{region} College of Physicians", "{region} Society of Anaesthetists"),
        "ngo": ("{city} Health Volunteers Overseas",),
    },
    "de": {
        "hospital": ("Universitätsklinikum {city}", "Klinikum {city}", "Städtisches Klinikum {city}"),
        "university": (
            "Medizinische Fakultät der Universität {city}",
            "Institut für Globale Gesundheit {city}",
        ),
        "nursing_school": ("Pflegeschule am Klinikum {city}",),
        "professional_association": ("Ärztekammer {region}",),
        "ngo": ("Ärzte für Partnerschaft {city} e.V.",),
    },
    "nl": {
        "hospital": ("Universitair Medisch Centrum {city}", "Ziekenhuis {city}"),
        "university": ("{city} Institute for Health Sciences", "Athena Institute for Global Health, {city}"),
        "nursing_school": ("Hogeschool {city}, Verpleegkunde",),
        "professional_association": ("Vereniging van Verloskundigen {region}",),
        "ngo": ("Stichting Zorg Samen {city}",),
    },
    "nordic": {
        "hospital": ("{city} University Hospital", "{city} Regional Hospital"),
        "university": ("{city} University Department of Global Public Health",),
        "nursing_school": ("{city} University College of Nursing",),
        "professional_association": ("{region} Medical Association",),
        "ngo": ("{city} Global Health Volunteers",),
    },
}
RESOURCE_TEMPLATES["fr"] = RESOURCE_TEMPLATES["en"]
RESOURCE_TEMPLATES["east"] = RESOURCE_TEMPLATES["en"]
RESOURCE_TEMPLATES["es"] = RESOURCE_TEMPLATES["en"]
RESOURCE_TEMPLATES["pt"] = RESOURCE_TEMPLATES["en"]


# Ministries' stated priorities: stored in English, shown in the reader's language (the `shipped` filter).
PRIORITY_TEXTS: tuple[tuple[str, str], ...] = (
    (
        "maternal-newborn",
        gettext_noop(
            "Reduce maternal and neonatal mortality through skilled birth attendance and emergency "
            "obstetric care in every district."
        ),
    ),
    (
        "primary-care",
        gettext_noop("Strengthen primary health care as the foundation of universal health coverage."),
    ),
    (
        "health-workforce",
        gettext_noop("Train, deploy and retain enough qualified health workers, above all in rural areas."),
    ),
    ("infectious-disease", gettext_noop("End HIV, tuberculosis and malaria as public-health threats.")),
    (
        "ncd",
        gettext_noop(
            "Prevent and control non-communicable diseases, with screening for hypertension and diabetes."
        ),
    ),
    (
        "emergency-care",
        gettext_noop(
            "Build an integrated emergency care system from the community to the referral hospital."
        ),
    ),
    ("quality-safety", gettext_noop("Improve the quality and safety of care in public hospitals.")),
    (
        "health-information",
        gettext_noop("Use timely, reliable health information for planning and accountability."),
    ),
    (
        "community-health",
        gettext_noop("Engage communities and community health workers in planning and delivering care."),
    ),
    ("mental-health", gettext_noop("Integrate mental-health services into general health care.")),
)

STAGE_NOTES: dict[str, tuple[str, ...]] = {
    "matching": (
        gettext_noop("Shortlisted twins discussed with the ministry."),
        gettext_noop("Matching round opened."),
    ),
    "agreement": (
        gettext_noop("Both institutions agreed to twin; MoU drafting started."),
        gettext_noop("Twin chosen after a site visit."),
    ),
    "planning": (
        gettext_noop("MoU signed by both sides."),
        gettext_noop("Agreement signed at the launch meeting."),
    ),
    "implementation": (
        gettext_noop("Strategic plan approved by the steering committee."),
        gettext_noop("Work plan and indicators approved."),
    ),
    "transition": (
        gettext_noop("Host team now leads most activities."),
        gettext_noop("Transition plan agreed for the last funding year."),
    ),
    "graduated": (
        gettext_noop("Host institution runs the programme on its own budget."),
        gettext_noop("Graduated after the final review."),
    ),
    "closed": (
        gettext_noop("Closed by mutual agreement."),
        gettext_noop("Closed: the host institution withdrew."),
        gettext_noop("Closed after funding ended."),
    ),
}

__all__ = [
    "INSTITUTION_DESCRIPTIONS",
    "THEMES",
]  # written by the demo, read by the models from their own apps
