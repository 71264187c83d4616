//! The deterministic generator behind the demo and the scale benchmark: seeded households
//! with names in Latin and Dari/Pashto script, phones, documents and priorities, and the
//! demo's rendezvous points. The same seed gives the same households on every run.
//!
//! It only builds values: it opens no store, draws nothing from the operating system's random
//! source, reads no clock and prints nothing.

use anyhow::Result;
use safeconduct_domain::model::*;
use safeconduct_domain::values::*;
use safeconduct_store::*;

/// A small deterministic generator (splitmix64): the demo is the same on every run.
/// The field is the seed, then the state.
pub struct Dice(pub u64);
impl Dice {
    pub fn roll(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.roll() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Given names of men, in Latin and in Dari/Pashto script.
pub const MEN: &[(&str, &str)] = &[
    ("Ahmad", "احمد"),
    ("Mohammad", "محمد"),
    ("Mahmood", "محمود"),
    ("Farid", "فرید"),
    ("Hamid", "حمید"),
    ("Jawad", "جواد"),
    ("Karim", "کریم"),
    ("Najib", "نجیب"),
    ("Omid", "امید"),
    ("Wahid", "وحید"),
    ("Yama", "یما"),
    ("Idris", "ادریس"),
    ("Abdul Rahim", "عبدالرحیم"),
    ("Sayed", "سید"),
    ("Bilal", "بلال"),
    ("Nasir", "ناصر"),
];

/// Given names of women, in Latin and in Dari/Pashto script.
pub const WOMEN: &[(&str, &str)] = &[
    ("Fatima", "فاطمه"),
    ("Mariam", "مریم"),
    ("Sadia", "سعدیه"),
    ("Nasrin", "نسرین"),
    ("Tamana", "تمنا"),
    ("Shabnam", "شبنم"),
    ("Fariba", "فریبا"),
    ("Habiba", "حبیبه"),
    ("Zarghuna", "زرغونه"),
    ("Laila", "لیلا"),
    ("Parwana", "پروانه"),
    ("Freshta", "فرشته"),
    ("Zahra", "زهرا"),
    ("Marzia", "مرضیه"),
    ("Nilofar", "نیلوفر"),
    ("Soraya", "ثریا"),
];

/// Family names, in Latin and in Dari/Pashto script.
pub const SURNAMES: &[(&str, &str)] = &[
    ("Safi", "صافی"),
    ("Sadat", "سادات"),
    ("Karimi", "کریمی"),
    ("Haidari", "حیدری"),
    ("Sultani", "سلطانی"),
    ("Rahimi", "رحیمی"),
    ("Amiri", "امیری"),
    ("Noori", "نوری"),
    ("Barakzai", "بارکزی"),
    ("Stanekzai", "ستانکزی"),
    ("Hashimi", "هاشمی"),
    ("Jalali", "جلالی"),
    ("Azimi", "عظیمی"),
    ("Popal", "پوپل"),
    ("Yousufzai", "یوسفزی"),
    ("Naseri", "ناصری"),
    ("Hakimi", "حکیمی"),
    ("Mohammadi", "محمدی"),
    ("Rezaie", "رضایی"),
    ("Ahmadzai", "احمدزی"),
];

/// Six rendezvous points, each on a street node of the OpenStreetMap extract.
pub const RVS: &[(&str, f64, f64, &str)] = &[
    (
        "RV Alpha",
        60.165196,
        24.939259,
        "Annankatu, by the blue doors of the school yard",
    ),
    (
        "RV Bravo",
        60.170061,
        24.937950,
        "Mannerheimintie, under the clock of the old post office",
    ),
    (
        "RV Charlie",
        60.174436,
        24.938664,
        "Töölönlahdenkatu, beside the library steps",
    ),
    (
        "RV Delta",
        60.175900,
        24.947990,
        "Kaisaniemenranta, at the boat jetty",
    ),
    (
        "RV Echo",
        60.168992,
        24.952085,
        "Sofiankatu, at the pedestrian street's stone bench",
    ),
    (
        "RV Foxtrot",
        60.164890,
        24.947904,
        "Kasarmikatu, at the corner of the barracks wall",
    ),
];

/// A household of one to twelve people, most of them documented, sharing the contact phone.
pub fn household(dice: &mut Dice) -> Result<NewHousehold> {
    let size = household_size(dice);
    household_of(dice, size)
}

/// How many people a household has: one to seven mostly, up to twelve.
pub fn household_size(dice: &mut Dice) -> usize {
    match dice.below(100) {
        0..15 => 1,
        15..30 => 2,
        30..45 => 3,
        45..60 => 4,
        60..75 => 5,
        75..85 => 6,
        85..93 => 7,
        _ => 8 + dice.below(5) as usize,
    }
}

/// A household of `size` people (at least one): names, birth years, the contact phone, a
/// passport for the first and national ids for the others, priorities and a language.
pub fn household_of(dice: &mut Dice, size: usize) -> Result<NewHousehold> {
    let surname = *dice.pick(SURNAMES);
    let phone = PhoneNumber::parse(&format!("+937{:08}", dice.below(100_000_000)))?;
    let mut members = Vec::with_capacity(size);
    for k in 0..size {
        let woman = if k == 1 { true } else { dice.chance(50) };
        let given = if woman {
            *dice.pick(WOMEN)
        } else {
            *dice.pick(MEN)
        };
        let year = if k < 2 {
            1950 + dice.below(46)
        } else {
            2005 + dice.below(20)
        } as u16;
        let number = if k == 0 {
            format!("P{:08}", dice.below(100_000_000))
        } else {
            format!(
                "{}-{:04}-{:05}",
                1398 + dice.below(5),
                dice.below(10_000),
                dice.below(100_000)
            )
        };
        // One household in twenty has a member whose documents have not reached the list yet.
        let documented = !(k == size - 1 && size > 1 && dice.chance(5));
        members.push(NewPerson::new(
            PersonName::new(
                &format!("{} {}", given.0, surname.0),
                Some(&format!("{} {}", given.1, surname.1)),
            )?,
            Some(BirthDate::from_year(year)?),
            Some(CountryCode::parse("AF")?),
            (k == 0 || (k == 1 && dice.chance(50))).then(|| phone.clone()),
            None,
            if documented {
                vec![NewDocument::new(
                    if k == 0 {
                        DocumentType::Passport
                    } else {
                        DocumentType::NationalId
                    },
                    DocumentNumber::parse(&number)?,
                    Some(CountryCode::parse("AF")?),
                    (k == 0).then(|| format!("{}-06-30", 2027 + dice.below(6))),
                )]
            } else {
                Vec::new()
            },
        ));
    }
    let mut priorities = Vec::new();
    for (flag, pct) in [
        (PriorityFlag::Medical, 10),
        (PriorityFlag::Elderly, 8),
        (PriorityFlag::Disability, 5),
        (PriorityFlag::Pregnancy, 4),
    ] {
        if dice.chance(pct) {
            priorities.push(flag);
        }
    }
    if size == 1 && dice.chance(10) {
        priorities.push(PriorityFlag::UnaccompaniedMinor);
    }
    let language = match dice.below(100) {
        0..60 => Language::Dari,
        60..90 => Language::Pashto,
        90..95 => Language::English,
        _ => Language::Arabic,
    };
    Ok(NewHousehold::new(
        Some(phone),
        language,
        None,
        priorities,
        None,
        members,
        REGISTERED_AT,
    )?)
}

/// When a generated household registers, as far as its dates of birth are concerned: after
/// every birth year drawn here (up to 2024), whatever day the generator runs.
const REGISTERED_AT: Timestamp = Timestamp(1_735_689_600);

/// Households of `people` people in all, made from `seed`, in chunks of `chunk` households
/// (the scale benchmark and the dashboard's speed test register one chunk per transaction).
pub fn population(
    seed: u64,
    people: usize,
    chunk: usize,
) -> impl Iterator<Item = Result<Vec<NewHousehold>>> {
    let mut dice = Dice(seed);
    let mut made = 0usize;
    std::iter::from_fn(move || {
        if made >= people {
            return None;
        }
        let mut households = Vec::with_capacity(chunk);
        while households.len() < chunk && made < people {
            let size = household_size(&mut dice).min(people - made);
            match household_of(&mut dice, size) {
                Ok(h) => households.push(h),
                Err(e) => return Some(Err(e)),
            }
            made += size;
        }
        Some(Ok(households))
    })
}

/// Case references drawn from a counter: distinct (the counter written in the references'
/// own alphabet, one letter per byte), and the same on every run.
pub fn references() -> impl FnMut() -> safeconduct_domain::CaseReference {
    let base = safeconduct_domain::CaseReference::ALPHABET.len() as u64;
    let mut counter = 0u64;
    move || {
        counter += 1;
        let mut n = counter;
        let mut digits = [0u8; 8];
        for d in digits.iter_mut().rev() {
            *d = (n % base) as u8;
            n /= base;
        }
        safeconduct_domain::CaseReference::from_random(digits)
    }
}
