"""Where the demo's customers are and what they and their people are called.

Six countries, each with its cities, sales territories, streets, postcodes, phone numbers and
people's names; and the words company names and job titles are made of.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import accumulate


def _words(text: str) -> tuple[str, ...]:
    """A word list written compactly as "one|two|three"."""
    return tuple(text.split("|"))


@dataclass(frozen=True)
class Country:
    """A country customers are in: its money, formats and names."""

    code: str
    locale: str
    currency: str
    weight: int
    phone: str  # "#" is a random digit
    postal: str  # "{p}" is the city's prefix, "#" a digit, "@" a letter
    street: str  # "{n}" house number, "{s}" street name
    streets: tuple[str, ...]
    legal_forms: tuple[str, ...]
    public_names: tuple[str, ...]  # "{c}" is the city
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    # city, region, postal prefixes ("|"-separated), sales territory
    cities: tuple[tuple[str, str, str, str], ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        code="US",
        locale="en_US",
        currency="USD",
        weight=35,
        phone="+1 ### 555 ####",
        postal="{p}##",
        street="{n} {s}",
        streets=_words(
            "Main Street|Oak Avenue|Market Street|Lakeshore Drive|Maple Avenue|"
            "Washington Boulevard|Elm Street|Park Avenue|Pine Street|Broadway"
        ),
        legal_forms=("Inc.", "LLC", "Corp.", "Co."),
        public_names=(
            "City of {c}",
            "{c} Public Library",
            "{c} School District",
            "University of {c}",
            "{c} Transit Authority",
        ),
        first_names=_words(
            "James|Mary|Michael|Jennifer|David|Linda|Robert|Patricia|Daniel|Emily|"
            "Christopher|Jessica|Matthew|Ashley|Andrew|Sarah|Joshua|Megan|Ryan|"
            "Lauren"
        ),
        last_names=_words(
            "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|"
            "Martinez|Wilson|Anderson|Taylor|Moore|Jackson|White|Harris|Clark|Lewis|"
            "Walker|Young|King|Lopez|O'Connor|Nguyen|Patel"
        ),
        cities=(
            ("New York", "NY", "100|101|102", "US East"),
            ("Boston", "MA", "021|022", "US East"),
            ("Atlanta", "GA", "303", "US East"),
            ("Chicago", "IL", "606", "US Central"),
            ("Austin", "TX", "787", "US Central"),
            ("Minneapolis", "MN", "554", "US Central"),
            ("Denver", "CO", "802", "US West"),
            ("Seattle", "WA", "981", "US West"),
            ("San Francisco", "CA", "941", "US West"),
            ("Portland", "OR", "972", "US West"),
        ),
    ),
    Country(
        code="GB",
        locale="en_GB",
        currency="GBP",
        weight=15,
        phone="+44 20 7946 0###",
        postal="{p} #@@",
        street="{n} {s}",
        streets=_words(
            "High Street|Station Road|Church Lane|King's Road|Victoria Street|"
            "Queen Street|Mill Lane|Park Road"
        ),
        legal_forms=("Ltd", "PLC", "LLP"),
        public_names=(
            "{c} City Council",
            "University of {c}",
            "{c} Libraries",
            "{c} Housing Trust",
        ),
        first_names=_words(
            "Oliver|Amelia|Harry|Isla|George|Sophie|Jack|Charlotte|Thomas|Grace|"
            "William|Emily|Henry|Poppy|Alfie|Freya"
        ),
        last_names=_words(
            "Smith|Jones|Taylor|Brown|Williams|Wilson|Davies|Robinson|Wright|"
            "Thompson|Evans|Walker|Roberts|Green|Hall|Wood|Clarke|O'Brien|Hughes|"
            "Edwards|Murphy|Khan"
        ),
        cities=(
            ("London", "England", "EC1A|SW1A|N1|E14|W1D", "UK & Ireland"),
            ("Manchester", "England", "M1|M4|M15", "UK & Ireland"),
            ("Birmingham", "England", "B1|B4", "UK & Ireland"),
            ("Leeds", "England", "LS1|LS2", "UK & Ireland"),
            ("Bristol", "England", "BS1|BS8", "UK & Ireland"),
            ("Edinburgh", "Scotland", "EH1|EH3", "UK & Ireland"),
            ("Glasgow", "Scotland", "G1|G2", "UK & Ireland"),
            ("Cardiff", "Wales", "CF10", "UK & Ireland"),
        ),
    ),
    Country(
        code="DE",
        locale="de_DE",
        currency="EUR",
        weight=15,
        phone="+49 30 ########",
        postal="{p}###",
        street="{s} {n}",
        streets=_words(
            "Hauptstraße|Bahnhofstraße|Goethestraße|Schillerstraße|Lindenallee|"
            "Marktplatz|Gartenstraße|Friedrichstraße"
        ),
        legal_forms=("GmbH", "AG", "GmbH & Co. KG"),
        public_names=("Stadtwerke {c}", "Stadt {c}", "Universität {c}", "Stadtbibliothek {c}"),
        first_names=_words(
            "Lukas|Anna|Jonas|Lena|Felix|Laura|Maximilian|Julia|Paul|Sophie|Leon|"
            "Marie|Tobias|Katharina|Stefan|Sabine"
        ),
        last_names=_words(
            "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|"
            "Hoffmann|Schäfer|Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|"
            "Zimmermann|Krüger"
        ),
        cities=(
            ("Berlin", "Berlin", "10|12", "DACH North"),
            ("Hamburg", "Hamburg", "20|22", "DACH North"),
            ("Leipzig", "Sachsen", "04", "DACH North"),
            ("Köln", "Nordrhein-Westfalen", "50|51", "DACH West"),
            ("Düsseldorf", "Nordrhein-Westfalen", "40", "DACH West"),
            ("Frankfurt am Main", "Hessen", "60", "DACH West"),
            ("München", "Bayern", "80|81", "DACH South"),
            ("Stuttgart", "Baden-Württemberg", "70", "DACH South"),
        ),
    ),
    Country(
        code="FR",
        locale="fr_FR",
        currency="EUR",
        weight=13,
        phone="+33 1 ## ## ## ##",
        postal="{p}##",
        street="{n} {s}",
        streets=_words(
            "rue de la République|avenue Jean Jaurès|boulevard Haussmann|"
            "rue Victor Hugo|place Bellecour|quai Saint-Antoine|"
            "rue du Faubourg Saint-Honoré|avenue de la Gare"
        ),
        legal_forms=("SA", "SAS", "SARL"),
        public_names=("Mairie de {c}", "Université de {c}", "CHU de {c}", "Métropole de {c}"),
        first_names=_words(
            "Camille|Léa|Hugo|Louis|Chloé|Manon|Lucas|Emma|Nathan|Inès|Julien|"
            "Sophie|Antoine|Élodie|Mathieu|Claire"
        ),
        last_names=_words(
            "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|"
            "Simon|Laurent|Lefèvre|Michel|Garcia|Fournier|Girard|Bonnet|Dupont|Roux"
        ),
        cities=(
            ("Paris", "Île-de-France", "750", "France North"),
            ("Lille", "Hauts-de-France", "590", "France North"),
            ("Strasbourg", "Grand Est", "670", "France North"),
            ("Nantes", "Pays de la Loire", "440", "France West"),
            ("Bordeaux", "Nouvelle-Aquitaine", "330", "France West"),
            ("Lyon", "Auvergne-Rhône-Alpes", "690", "France South"),
            ("Marseille", "Provence-Alpes-Côte d'Azur", "130", "France South"),
            ("Toulouse", "Occitanie", "310", "France South"),
        ),
    ),
    Country(
        code="BR",
        locale="pt_BR",
        currency="BRL",
        weight=10,
        phone="+55 11 9####-####",
        postal="{p}###-###",
        street="{s}, {n}",
        streets=(
            "Rua Augusta",
            "Avenida Paulista",
            "Rua das Flores",
            "Avenida Atlântica",
            "Rua XV de Novembro",
            "Avenida Brasil",
            "Rua da Consolação",
        ),
        legal_forms=("Ltda.", "S.A."),
        public_names=("Prefeitura de {c}", "Universidade de {c}", "Biblioteca Pública de {c}"),
        first_names=_words(
            "João|Maria|Ana|Pedro|Lucas|Gabriel|Juliana|Fernanda|Rafael|Mariana|"
            "Bruno|Camila|Thiago|Beatriz|Gustavo|Letícia"
        ),
        last_names=_words(
            "Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|"
            "Gomes|Costa|Ribeiro|Martins|Carvalho|Almeida|Garcia|Rocha|Nascimento"
        ),
        cities=(
            ("São Paulo", "SP", "01|04", "Brazil South-East"),
            ("Rio de Janeiro", "RJ", "20|22", "Brazil South-East"),
            ("Belo Horizonte", "MG", "30", "Brazil South-East"),
            ("Curitiba", "PR", "80", "Brazil South"),
            ("Porto Alegre", "RS", "90", "Brazil South"),
            ("Recife", "PE", "50", "Brazil North-East"),
            ("Salvador", "BA", "40", "Brazil North-East"),
        ),
    ),
    Country(
        code="ES",
        locale="es_ES",
        currency="EUR",
        weight=12,
        phone="+34 91 ### ## ##",
        postal="{p}###",
        street="{s}, {n}",
        streets=(
            "Calle Mayor",
            "Gran Vía",
            "Paseo de Gracia",
            "Calle de Alcalá",
            "Avenida de la Constitución",
            "Calle Serrano",
            "Rambla de Catalunya",
        ),
        legal_forms=("S.L.", "S.A."),
        public_names=("Ayuntamiento de {c}", "Universidad de {c}", "Biblioteca Municipal de {c}"),
        first_names=_words(
            "Antonio|María|Manuel|Carmen|José|Laura|David|Lucía|Javier|Marta|"
            "Carlos|Paula|Alejandro|Sara|Pablo|Elena"
        ),
        last_names=_words(
            "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|"
            "Martín|Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Navarro|"
            "Torres"
        ),
        cities=(
            ("Madrid", "Comunidad de Madrid", "28", "Iberia Centre"),
            ("Zaragoza", "Aragón", "50", "Iberia Centre"),
            ("Barcelona", "Cataluña", "08", "Iberia East"),
            ("Valencia", "Comunitat Valenciana", "46", "Iberia East"),
            ("Sevilla", "Andalucía", "41", "Iberia South"),
            ("Málaga", "Andalucía", "29", "Iberia South"),
            ("Bilbao", "País Vasco", "48", "Iberia North"),
        ),
    ),
)
COUNTRY_CUM = tuple(accumulate(country.weight for country in COUNTRIES))

BRAND_WORDS = _words(
    "North|Northwind|Blue Harbor|Summit|Granite|Silver Lake|Cedar|Atlas|Pioneer|"
    "Evergreen|Redwood|Beacon|Meridian|Horizon|Lakeside|Riverside|Sterling|"
    "Keystone|Brightwater|Crown|Falcon|Golden Gate|Ironwood|Juniper|Kestrel|"
    "Lumen|Maple Leaf|Nova|Oakridge|Orion|Pinnacle|Quantum|Sapphire|Trident|"
    "Vertex|Willow|Zenith|Alpine|Coastal|Delta|Fairview|Greenfield|Highland|"
    "Westbrook|Southport|Copper|Aurora|Polaris|Sunrise|Tidewater|Vantage|"
    "Crescent"
)
INDUSTRIES = _words(
    "Systems|Logistics|Foods|Dental|Clinics|Engineering|Media|Software|Motors|"
    "Hotels|Retail|Pharma|Textiles|Builders|Analytics|Energy|Travel|Insurance|"
    "Outdoor|Fashion|Furniture|Electronics|Telecom|Publishing|Brewing|"
    "Pet Supplies|Cosmetics|Sports|Books|Optics|Labs|Consulting|Marketplace|"
    "Auto Parts"
)
# Job titles of customers' contacts (and so of the people who sign their contracts).
TITLES = _words(
    "Head of Digital|E-commerce Manager|Chief Financial Officer|Procurement Manager|"
    "Marketing Director|Chief Technology Officer|Web Analyst|Accounts Payable Lead|"
    "Chief Digital Officer|UX Lead|Office Manager|Finance Director"
)


@cache
def slug(value: str, separator: str = "-") -> str:
    """The value in lower-case ASCII, its words joined by the separator: "chloe-laurent"."""
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    words = "".join(char if char.isalnum() else " " for char in folded.replace("'", "")).split()
    return separator.join(words)
