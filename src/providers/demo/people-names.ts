/** First and last names by country, so demo users look like a real international workforce. */

interface NamePool {
  first: readonly string[];
  last: readonly string[];
}

function pool(first: string, last: string): NamePool {
  return { first: first.split(','), last: last.split(',') };
}

const english = pool(
  'James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,Barbara,Richard,Susan,' +
    'Joseph,Jessica,Thomas,Sarah,Christopher,Karen,Daniel,Emily,Matthew,Olivia,Anthony,Emma,Mark,Sophie,' +
    'Andrew,Hannah,Joshua,Grace,Ryan,Chloe,Kevin,Megan,Brian,Rachel,Liam,Amelia,Noah,Charlotte,Oliver,Isla,' +
    'Jack,Ava,Harry,Mia,George,Lucy',
  'Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Jackson,' +
    'Thompson,White,Harris,Clark,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Green,Baker,Adams,' +
    "Nelson,Hill,Campbell,Mitchell,Roberts,Carter,Phillips,Evans,Turner,Parker,Collins,Edwards,Stewart,Murphy,Cook,Morgan,Bell,O'Brien,Kelly,Hughes,Price",
);
const german = pool(
  'Lukas,Anna,Jonas,Lea,Felix,Laura,Maximilian,Julia,Paul,Sophie,Leon,Marie,Tobias,Katharina,Florian,' +
    'Lena,Stefan,Sabine,Jürgen,Jörg,Ute,Klaus,Matthias,Franziska',
  'Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Schäfer,Koch,Bauer,Richter,' +
    'Klein,Wolf,Schröder,Neumann,Schwarz,Zimmermann,Braun,Krüger,Hofmann,Hartmann',
);
const french = pool(
  'Camille,Louis,Léa,Hugo,Manon,Lucas,Chloé,Théo,Inès,Nathan,Juliette,Mathis,Élodie,Antoine,Céline,' +
    'François,Hélène,Benoît,Amélie,Jérôme,Jean-Luc,Marie-Claire',
  'Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefèvre,Michel,' +
    'Garcia,David,Bertrand,Roux,Vincent,Fournier,Girard,Bonnet',
);
const dutch = pool(
  'Daan,Sanne,Bram,Lotte,Sem,Emma,Thijs,Fleur,Jesse,Anouk,Ruben,Femke',
  'de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Janssen,Visser,Smit,Meijer,de Boer,Mulder',
);
const spanish = pool(
  'Alejandro,Lucía,Pablo,María,Javier,Carmen,Diego,Sofía,Sergio,Paula,Andrés,Valentina,José,Ana',
  'García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,' +
    'Hernández,Díaz,Moreno,Álvarez',
);
const italian = pool(
  'Francesco,Giulia,Alessandro,Chiara,Lorenzo,Sofia,Matteo,Francesca,Andrea,Federica,Marco,Elena',
  'Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,Gallo',
);
const swedish = pool(
  'Erik,Astrid,Lars,Ingrid,Johan,Elin,Anders,Maja,Nils,Karin,Oskar,Linnea',
  'Andersson,Johansson,Karlsson,Nilsson,Eriksson,Larsson,Olsson,Persson,Svensson,Gustafsson,Lindqvist,Åberg',
);
const japanese = pool(
  'Haruto,Yui,Sota,Hina,Yuto,Aoi,Riku,Sakura,Kenji,Yuki,Takumi,Mei',
  'Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,Yamada',
);
const indian = pool(
  'Aarav,Priya,Vivaan,Ananya,Arjun,Diya,Rohan,Kavya,Rahul,Sneha,Vikram,Neha,Aditya,Pooja',
  'Sharma,Patel,Singh,Kumar,Gupta,Reddy,Iyer,Nair,Mehta,Joshi,Rao,Desai',
);
const portuguese = pool(
  'Miguel,Helena,Arthur,Alice,Gabriel,Laura,Heitor,Manuela,Rafael,Beatriz,João,Luísa',
  'Silva,Santos,Oliveira,Souza,Rodrigues,Ferreira,Alves,Pereira,Lima,Gomes,Costa,Ribeiro',
);
const polish = pool(
  'Jakub,Zuzanna,Kacper,Julia,Szymon,Maja,Filip,Zofia,Mateusz,Agnieszka,Piotr,Katarzyna',
  'Nowak,Kowalski,Wiśniewski,Wójcik,Kowalczyk,Kamiński,Lewandowski,Zieliński,Szymański,Woźniak,Łukasik',
);

const poolByCountry: Record<string, NamePool> = {
  US: english,
  GB: english,
  CA: english,
  AU: english,
  IE: english,
  NZ: english,
  ZA: english,
  DE: german,
  CH: german,
  FR: french,
  NL: dutch,
  ES: spanish,
  MX: spanish,
  IT: italian,
  SE: swedish,
  JP: japanese,
  IN: indian,
  BR: portuguese,
  PL: polish,
};

/** Countries of the demo workforce with their weight; IN, BR, MX, PL and ZA sell no Calling Plans. */
export const WORKFORCE_COUNTRIES: readonly (readonly [string, number])[] = Object.entries({
  US: 30,
  GB: 12,
  DE: 10,
  FR: 8,
  CA: 5,
  JP: 5,
  IN: 6,
  NL: 4,
  ES: 4,
  IT: 4,
  BR: 4,
  SE: 3,
  AU: 3,
  PL: 3,
  MX: 2,
  IE: 1,
  CH: 1,
  ZA: 1,
});

export function namePool(country: string): NamePool {
  return poolByCountry[country] ?? english;
}

/** The ASCII form of a name for an e-mail address: "Łukasik" → "lukasik", "de Jong" → "dejong". */
export function mailName(name: string): string {
  return name
    .replace(/[Łł]/g, 'l')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
}
