const DAY_MS = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `date.toISOString()`, about three times faster (it runs for every timestamp of every read: a page
 * of 100 runs has 300). Civil date from days since the epoch as in Howard Hinnant's `civil_from_days`;
 * years outside 0000–9999 and invalid dates go to toISOString itself.
 */
export function isoTimestamp(date: Date): string {
  const time = date.getTime();
  // Also false for NaN (an invalid date): toISOString then throws as it should.
  if (!(time >= -62_167_219_200_000 && time < 253_402_300_800_000)) return date.toISOString();
  const msOfDay = ((time % DAY_MS) + DAY_MS) % DAY_MS;
  const days = Math.floor(time / DAY_MS) + 719_468;
  const era = Math.floor(days / 146_097);
  const dayOfEra = days - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const yearText = year < 1000 ? `${year}`.padStart(4, '0') : `${year}`;
  return `${yearText}-${pad2(month)}-${pad2(day)}T${pad2(Math.floor(msOfDay / 3_600_000))}:${pad2(Math.floor(msOfDay / 60_000) % 60)}:${pad2(
    Math.floor(msOfDay / 1000) % 60,
  )}.${pad3(msOfDay % 1000)}Z`;
}
