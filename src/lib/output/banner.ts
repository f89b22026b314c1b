// The ⚠ expiry banner shown after every command that talks to the cluster (DESIGN.md section 9): a pure decision
// from the certificates to the text, or nothing.
import {type CertificateInfo, timeLeft} from '../certs/index.js'
import {rfc1123} from './time-layouts.js'

export const bannerDays = 30

/**
 * The banner text for the earliest-expiring certificate of the chain in use (the issuer and the roots it chains to),
 * when it has under 30 whole days left; extra roots kept beside them do not raise it.
 */
export function expiryBanner(certificates: CertificateInfo[], now = new Date()): string | undefined {
  const earliest = certificates.filter((c) => c.inUse).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0]
  if (!earliest) return undefined
  const days = Math.floor((earliest.notAfter.getTime() - now.getTime()) / 3_600_000 / 24)
  if (days >= bannerDays) return undefined
  const what = `Dapr ${earliest.role === 'root' ? 'root' : 'issuer'} certificate of your Kubernetes cluster`
  // The words of the expiry table and of the JSON's timeLeft, so all three agree.
  const words = timeLeft(earliest.notAfter, now)
  const when = words.startsWith('expired') ? `${words}.` : `expires ${words}.`
  return `${what} ${when} Expiry date: ${rfc1123(earliest.notAfter)}.\n Please see docs.dapr.io for certificate renewal instructions to avoid service interruptions.`
}
