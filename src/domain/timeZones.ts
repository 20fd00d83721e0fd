/**
 * The subscriber's IANA time zone from the destination's numbering plan (spec §5.8): the country, plus the region
 * where the country spans several zones. Unknown → Moscow time.
 */

export const MOSCOW_ZONE = 'Europe/Moscow';

/**
 * Countries with one civil time (or several tz zones that keep the same clock today), from tzdata's zone.tab.
 * Parsed once at load; a string keeps 230 entries readable.
 */
const SINGLE_ZONE_TABLE = `
AC:Atlantic/St_Helena AD:Europe/Andorra AE:Asia/Dubai AF:Asia/Kabul AG:America/Antigua AI:America/Anguilla AL:Europe/Tirane
AM:Asia/Yerevan AO:Africa/Luanda AR:America/Argentina/Buenos_Aires AS:Pacific/Pago_Pago AT:Europe/Vienna AW:America/Aruba
AX:Europe/Mariehamn AZ:Asia/Baku BA:Europe/Sarajevo BB:America/Barbados BD:Asia/Dhaka BE:Europe/Brussels
BF:Africa/Ouagadougou BG:Europe/Sofia BH:Asia/Bahrain BI:Africa/Bujumbura BJ:Africa/Porto-Novo
BL:America/St_Barthelemy BM:Atlantic/Bermuda BN:Asia/Brunei BO:America/La_Paz BQ:America/Kralendijk BS:America/Nassau
BT:Asia/Thimphu BW:Africa/Gaborone BY:Europe/Minsk BZ:America/Belize CC:Indian/Cocos CF:Africa/Bangui
CG:Africa/Brazzaville CH:Europe/Zurich CI:Africa/Abidjan CK:Pacific/Rarotonga CM:Africa/Douala CN:Asia/Shanghai
CO:America/Bogota CR:America/Costa_Rica CU:America/Havana CV:Atlantic/Cape_Verde CW:America/Curacao
CX:Indian/Christmas CY:Asia/Nicosia CZ:Europe/Prague DE:Europe/Berlin DJ:Africa/Djibouti DK:Europe/Copenhagen
DM:America/Dominica DO:America/Santo_Domingo DZ:Africa/Algiers EE:Europe/Tallinn EG:Africa/Cairo EH:Africa/El_Aaiun
ER:Africa/Asmara ET:Africa/Addis_Ababa FI:Europe/Helsinki FJ:Pacific/Fiji FK:Atlantic/Stanley FO:Atlantic/Faroe
FR:Europe/Paris GA:Africa/Libreville GB:Europe/London GD:America/Grenada GE:Asia/Tbilisi GF:America/Cayenne
GG:Europe/Guernsey GH:Africa/Accra GI:Europe/Gibraltar GM:Africa/Banjul GN:Africa/Conakry GP:America/Guadeloupe
GQ:Africa/Malabo GR:Europe/Athens GT:America/Guatemala GU:Pacific/Guam GW:Africa/Bissau GY:America/Guyana
HK:Asia/Hong_Kong HN:America/Tegucigalpa HR:Europe/Zagreb HT:America/Port-au-Prince HU:Europe/Budapest
IE:Europe/Dublin IL:Asia/Jerusalem IM:Europe/Isle_of_Man IN:Asia/Kolkata IO:Indian/Chagos IQ:Asia/Baghdad
IR:Asia/Tehran IS:Atlantic/Reykjavik IT:Europe/Rome JE:Europe/Jersey JM:America/Jamaica JO:Asia/Amman JP:Asia/Tokyo
KE:Africa/Nairobi KG:Asia/Bishkek KH:Asia/Phnom_Penh KM:Indian/Comoro KN:America/St_Kitts KP:Asia/Pyongyang
KR:Asia/Seoul KW:Asia/Kuwait KY:America/Cayman LA:Asia/Vientiane LB:Asia/Beirut LC:America/St_Lucia LI:Europe/Vaduz
LK:Asia/Colombo LR:Africa/Monrovia LS:Africa/Maseru LT:Europe/Vilnius LU:Europe/Luxembourg LV:Europe/Riga
LY:Africa/Tripoli MA:Africa/Casablanca MC:Europe/Monaco MD:Europe/Chisinau ME:Europe/Podgorica MF:America/Marigot
MG:Indian/Antananarivo MH:Pacific/Majuro MK:Europe/Skopje ML:Africa/Bamako MM:Asia/Yangon MO:Asia/Macau
MP:Pacific/Saipan MQ:America/Martinique MR:Africa/Nouakchott MS:America/Montserrat MT:Europe/Malta
MU:Indian/Mauritius MV:Indian/Maldives MW:Africa/Blantyre MY:Asia/Kuala_Lumpur MZ:Africa/Maputo NA:Africa/Windhoek
NC:Pacific/Noumea NE:Africa/Niamey NF:Pacific/Norfolk NG:Africa/Lagos NI:America/Managua NL:Europe/Amsterdam
NO:Europe/Oslo NP:Asia/Kathmandu NR:Pacific/Nauru NU:Pacific/Niue OM:Asia/Muscat PA:America/Panama PE:America/Lima
PH:Asia/Manila PK:Asia/Karachi PL:Europe/Warsaw PM:America/Miquelon PR:America/Puerto_Rico PS:Asia/Gaza
PW:Pacific/Palau PY:America/Asuncion QA:Asia/Qatar RE:Indian/Reunion RO:Europe/Bucharest RS:Europe/Belgrade
RW:Africa/Kigali SA:Asia/Riyadh SB:Pacific/Guadalcanal SC:Indian/Mahe SD:Africa/Khartoum SE:Europe/Stockholm
SG:Asia/Singapore SH:Atlantic/St_Helena SI:Europe/Ljubljana SJ:Arctic/Longyearbyen SK:Europe/Bratislava
SL:Africa/Freetown SM:Europe/San_Marino SN:Africa/Dakar SO:Africa/Mogadishu SR:America/Paramaribo SS:Africa/Juba
ST:Africa/Sao_Tome SV:America/El_Salvador SX:America/Lower_Princes SY:Asia/Damascus SZ:Africa/Mbabane
TA:Atlantic/St_Helena TC:America/Grand_Turk TD:Africa/Ndjamena TG:Africa/Lome TH:Asia/Bangkok TJ:Asia/Dushanbe
TK:Pacific/Fakaofo TL:Asia/Dili TM:Asia/Ashgabat TN:Africa/Tunis TO:Pacific/Tongatapu TR:Europe/Istanbul
TT:America/Port_of_Spain TV:Pacific/Funafuti TW:Asia/Taipei TZ:Africa/Dar_es_Salaam UG:Africa/Kampala
UY:America/Montevideo UZ:Asia/Tashkent VA:Europe/Vatican VC:America/St_Vincent VE:America/Caracas VG:America/Tortola
VI:America/St_Thomas VN:Asia/Ho_Chi_Minh VU:Pacific/Efate WF:Pacific/Wallis WS:Pacific/Apia XK:Europe/Belgrade
YE:Asia/Aden YT:Indian/Mayotte ZA:Africa/Johannesburg ZM:Africa/Lusaka ZW:Africa/Harare`;

export const SINGLE_ZONE_COUNTRIES: ReadonlyMap<string, string> = new Map(
  SINGLE_ZONE_TABLE.trim()
    .split(/\s+/)
    .map((entry) => entry.split(':') as [string, string]),
);

/**
 * Countries whose clocks differ by region: the zone used when the number names no region we know
 * (mobile ranges, new area codes). Chosen as the zone of the capital or of most subscribers. The README lists it.
 */
export const MULTI_ZONE_DEFAULTS: Readonly<Record<string, string>> = {
  AU: 'Australia/Sydney',
  BR: 'America/Sao_Paulo',
  CA: 'America/Toronto',
  CD: 'Africa/Kinshasa',
  CL: 'America/Santiago',
  EC: 'America/Guayaquil',
  ES: 'Europe/Madrid',
  FM: 'Pacific/Pohnpei',
  GL: 'America/Nuuk',
  ID: 'Asia/Jakarta',
  KI: 'Pacific/Tarawa',
  KZ: 'Asia/Almaty', // the whole country has kept UTC+5 since March 2024
  MN: 'Asia/Ulaanbaatar',
  MX: 'America/Mexico_City',
  NZ: 'Pacific/Auckland',
  PF: 'Pacific/Tahiti',
  PG: 'Pacific/Port_Moresby',
  PT: 'Europe/Lisbon',
  RU: MOSCOW_ZONE,
  UA: 'Europe/Kyiv',
  US: 'America/New_York',
};

/** Where a region is named by the digits after the country calling code. */
interface RegionPlan {
  callingCode: string;
  /** Prefix of the national number → zone; the longest matching prefix wins. */
  prefixes: ReadonlyMap<string, string>;
  /** Digits to drop before the national number is looked up (Mexico's legacy mobile "1"). */
  nationalPrefix?: string;
}

/** Written zone → prefixes because that is how the sources list them; inverted at load. */
function byPrefix(zones: Record<string, string>): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [zone, prefixes] of Object.entries(zones)) {
    for (const prefix of prefixes.trim().split(/\s+/)) map.set(prefix, zone);
  }
  return map;
}

/**
 * NANP area codes (US and Canada share one table; codes are unique across both). An area code split between zones
 * goes to the zone of most of its subscribers (850, 605, 308 → Central); codes too mixed to call are left to the default.
 */
const NANP = byPrefix({
  'America/New_York': `
    203 475 860 959 302 202 771 239 305 321 324 352 386 407 561 645 656 689 727 728 754 772 786 813 863 904 941 954
    229 404 470 478 678 706 762 770 912 943 317 463 765 260 574 502 859 606 207 227 240 301 410 443 667
    339 351 413 508 617 774 781 857 978 231 248 269 313 517 586 616 679 734 810 906 947 989 603
    201 551 609 640 732 848 856 862 908 973 212 315 329 332 347 363 516 518 585 607 624 631 646 680 716 718 838 845
    914 917 929 934 252 336 472 704 743 828 910 919 980 984 216 220 234 283 326 330 380 419 436 440 513 567 614 740 937
    215 223 267 272 412 445 484 570 582 610 717 724 814 835 878 401 803 821 839 843 854 864 423 865 802
    276 434 540 571 686 703 757 804 826 948 304 681`,
  'America/Chicago': `
    205 251 256 334 659 938 327 479 501 870 217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 861 872 219
    319 515 563 641 712 316 620 785 913 270 364 225 318 337 457 504 985 218 320 507 612 651 763 924 952
    228 601 662 769 235 314 417 557 573 636 660 816 975 308 402 531 701 405 539 572 580 918 605
    615 629 731 901 931 210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 936 940
    945 956 972 979 262 274 353 414 534 608 715 920 850 448`,
  'America/Denver': '303 719 720 970 983 208 986 406 505 575 385 435 801 307 915',
  'America/Phoenix': '480 520 602 623 928',
  'America/Los_Angeles': `
    209 213 279 310 323 341 350 369 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805
    818 820 831 837 840 858 909 916 925 949 951 702 725 775 458 503 541 971 206 253 360 425 509 564`,
  'America/Anchorage': '907',
  'Pacific/Honolulu': '808',
  'America/Toronto': `
    226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942
    263 354 367 418 438 450 468 514 579 581 819 873`,
  'America/Halifax': '902 782 506 428',
  'America/St_Johns': '709 879',
  'America/Winnipeg': '204 431 584',
  'America/Regina': '306 639 474',
  'America/Edmonton': '403 587 780 825 368',
  'America/Vancouver': '236 250 257 604 672 778',
});

/** Russian geographic (ABC) codes east or west of Moscow time; the rest of ABC and all mobile DEF 9xx → Moscow. */
const RUSSIA = byPrefix({
  'Europe/Kaliningrad': '401',
  'Europe/Samara': '341 846 848',
  'Europe/Ulyanovsk': '842',
  'Europe/Saratov': '845',
  'Europe/Astrakhan': '851',
  'Asia/Yekaterinburg': '342 343 345 346 347 349 351 352 353',
  'Asia/Omsk': '381',
  'Asia/Novosibirsk': '383',
  'Asia/Tomsk': '382',
  'Asia/Novokuznetsk': '384',
  'Asia/Barnaul': '385 388',
  'Asia/Krasnoyarsk': '390 391 394',
  'Asia/Irkutsk': '395 301',
  'Asia/Chita': '302',
  'Asia/Yakutsk': '411 416',
  'Asia/Vladivostok': '421 423 426',
  'Asia/Magadan': '413',
  'Asia/Sakhalin': '424',
  'Asia/Kamchatka': '415',
  'Asia/Anadyr': '427',
});

/** Brazilian DDD codes; São Paulo time covers the south-east, south and centre-west (61, 62, 64). */
const BRAZIL = byPrefix({
  'America/Araguaina': '63',
  'America/Cuiaba': '65 66',
  'America/Campo_Grande': '67',
  'America/Rio_Branco': '68',
  'America/Porto_Velho': '69',
  'America/Bahia': '71 73 74 75 77',
  'America/Maceio': '79 82',
  'America/Recife': '81 87',
  'America/Fortaleza': '83 84 85 86 88 89 98 99',
  'America/Belem': '91 94 96',
  'America/Santarem': '93',
  'America/Manaus': '92 97',
  'America/Boa_Vista': '95',
});

/** Australian area codes 2/3/7/8, and the Tasmanian, Northern Territory and Western Australian blocks of 03 and 08. */
const AUSTRALIA = byPrefix({
  'Australia/Sydney': '2',
  'Australia/Melbourne': '3',
  'Australia/Hobart': '36',
  'Australia/Brisbane': '7',
  'Australia/Adelaide': '8',
  'Australia/Darwin': '889',
  'Australia/Perth': '86 89',
});

/** Mexican area codes outside central time (mobile numbers keep the area code of their city). */
const MEXICO = byPrefix({
  'America/Tijuana': '664 686 646 665 661 616',
  'America/Hermosillo': '662 644 642 631 622 653 633 637 638',
  'America/Mazatlan': '669 667 668 687 673 612 624 613 311',
  'America/Chihuahua': '614 625 627 636',
  'America/Ciudad_Juarez': '656',
  'America/Matamoros': '868 899 867 878 877',
  'America/Cancun': '998 984 983 987',
});

/** Indonesian area codes: Bali, Nusa Tenggara, Sulawesi, east/south Kalimantan (WITA); Maluku, Papua (WIT). */
const INDONESIA = byPrefix({
  'Asia/Makassar': '36 37 38 4 511 54 55',
  'Asia/Pontianak': '56 536',
  'Asia/Jayapura': '9',
});

export const REGION_PLANS: Readonly<Record<string, RegionPlan>> = {
  US: { callingCode: '1', prefixes: NANP },
  CA: { callingCode: '1', prefixes: NANP },
  RU: { callingCode: '7', prefixes: RUSSIA },
  BR: { callingCode: '55', prefixes: BRAZIL },
  AU: { callingCode: '61', prefixes: AUSTRALIA },
  MX: { callingCode: '52', prefixes: MEXICO, nationalPrefix: '1' },
  ID: { callingCode: '62', prefixes: INDONESIA },
  CL: { callingCode: '56', prefixes: byPrefix({ 'America/Punta_Arenas': '61', 'America/Coyhaique': '67' }) },
  ES: { callingCode: '34', prefixes: byPrefix({ 'Atlantic/Canary': '822 828 922 928' }) },
  PT: { callingCode: '351', prefixes: byPrefix({ 'Atlantic/Azores': '292 295 296', 'Atlantic/Madeira': '291' }) },
  NZ: { callingCode: '64', prefixes: byPrefix({ 'Pacific/Chatham': '3305' }) },
};

const LONGEST_PREFIX = 4;

function regionZone(plan: RegionPlan, destination: string): string | null {
  if (!destination.startsWith(plan.callingCode)) return null;
  let national = destination.slice(plan.callingCode.length);
  if (plan.nationalPrefix !== undefined && national.startsWith(plan.nationalPrefix)) {
    national = national.slice(plan.nationalPrefix.length);
  }
  for (let length = Math.min(LONGEST_PREFIX, national.length); length > 0; length--) {
    const zone = plan.prefixes.get(national.slice(0, length));
    if (zone !== undefined) return zone;
  }
  return null;
}

/** The subscriber's IANA zone. `destination` is international digits; `countryCode` is what `countryOf` found. */
export function zoneForDestination(destination: string, countryCode: string | null): string {
  if (countryCode === null) return MOSCOW_ZONE;
  const plan = REGION_PLANS[countryCode];
  const region = plan === undefined ? null : regionZone(plan, destination);
  return region ?? MULTI_ZONE_DEFAULTS[countryCode] ?? SINGLE_ZONE_COUNTRIES.get(countryCode) ?? MOSCOW_ZONE;
}
