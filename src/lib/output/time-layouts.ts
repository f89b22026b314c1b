// The time layouts this CLI prints: the official CLI's ones, kept so scripts that parse its output keep working, and
// the one it puts in backup file names.

/** RFC 1123 in UTC, as Go prints time.RFC1123 for a UTC time: Mon, 04 Apr 2022 15:01:03 UTC. */
export function rfc1123(date: Date): string {
  return date.toUTCString().replace('GMT', 'UTC')
}

/** Go's time.Time String() layout in UTC, as `mtls expiry` prints it: 2021-08-13 23:55:36 +0000 UTC. */
export function goTimeString(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`
}

/** A UTC time to the minute, for narrow tables: 2022-04-04 15:01 UTC. */
export function shortUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** A UTC time to the second, for lists where two entries may share a minute: 2022-04-04 15:01:03 UTC. */
export function utcSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** The AGE buckets of `dapr status -k`: seconds up to a minute, minutes up to an hour, hours up to a day, then days. */
export function age(created: Date, now = new Date()): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - created.getTime()) / 1000))
  if (seconds <= 60) return `${seconds}s`
  if (seconds <= 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds <= 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}

/** The CREATED layout of `dapr status -k`, in local time: YYYY-MM-DD HH:MM.SS. */
export function createdTime(created: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  const date = `${created.getFullYear()}-${pad(created.getMonth() + 1)}-${pad(created.getDate())}`
  return `${date} ${pad(created.getHours())}:${pad(created.getMinutes())}.${pad(created.getSeconds())}`
}

/** A UTC time for file and folder names, without the colons Windows refuses: 2022-04-04T15-01-03-000Z. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-')
}
