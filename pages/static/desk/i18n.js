// English and Arabic texts, and times in the operator's time zone. Codes configured by the
// merchant (reasons, conditions) come translated from the API itself (`name(language:)`).
import { MESSAGES } from "./messages.js";

const state = {
  language: "en",
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
};

export function setLanguage(language) {
  state.language = MESSAGES[language] ? language : "en";
  document.documentElement.lang = state.language;
  document.documentElement.dir = state.language === "ar" ? "rtl" : "ltr";
}

export function language() {
  return state.language;
}

export function setTimeZone(timeZone) {
  state.timeZone = timeZone;
}

export function timeZone() {
  return state.timeZone;
}

/** t("key", {name: "…"}): the text in the current language, English when missing. */
export function t(key, params = {}) {
  const text = MESSAGES[state.language][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/**
 * A count in the words its number takes: "1 unit", "2 units"; in Arabic the six forms of
 * Intl.PluralRules (zero, one, two, few, many, other), as `key.one`, `key.two`… in
 * messages.js, `key.other` standing in for a form a language does not spell out.
 */
export function plural(key, count, params = {}) {
  const form = `${key}.${new Intl.PluralRules(locale()).select(count)}`;
  const known = MESSAGES[state.language][form] ?? MESSAGES.en[form];
  const number = new Intl.NumberFormat(locale()).format(count);
  return t(known ? form : `${key}.other`, { ...params, count: number });
}

/**
 * Every status of a return request, in lifecycle order (domain/lifecycle.py's ReturnStatus):
 * the queue's tabs and the status override list them, and each has a `status.…` text in
 * messages.js (tests/unit/test_status_wording.py checks both).
 */
export const STATUSES = [
  "PENDING",
  "ON_HOLD",
  "APPROVED",
  "PARTIALLY_RECEIVED",
  "RECEIVED",
  "COMPLETED",
  "REJECTED",
  "CANCELLED",
];

export function statusName(status) {
  return t(`status.${status}`);
}

export function actionName(action) {
  return t(`action.${action}`);
}

export function eventName(type) {
  const key = `event.${type}`;
  const text = t(key);
  return text === key ? type : text;
}

/** A time as the operator reads it: their zone, their language's numerals. */
export function formatTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: state.timeZone,
  }).format(new Date(iso));
}

export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A percent given as its number ("12.5" is 12.5 %), in the operator's numerals. */
export function formatPercent(value) {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 3 }).format(
    Number(value) / 100,
  );
}

/** Midnight of a yyyy-mm-dd day in the operator's zone, as an ISO time with offset. */
export function startOfDay(day) {
  const [year, month, date] = day.split("-").map(Number);
  const guess = Date.UTC(year, month - 1, date);
  const offset = zoneOffsetMinutes(new Date(guess));
  return new Date(guess - offset * 60000).toISOString();
}

function zoneOffsetMinutes(at) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: state.timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((local - at.getTime()) / 60000);
}

function locale() {
  return state.language === "ar" ? "ar-AE" : "en-GB";
}
