// The plan of a change to Sentry's settings: which fields change, the warnings, and what the change means per mode.
import assert from 'node:assert/strict'

import {UsageError} from '../../../src/lib/errors.js'
import type {Owner} from '../../../src/lib/kube/ownership.js'
import {
  assertEnabledChangeAllowed,
  planEdit,
  positiveDuration,
  renderPlan,
  type SettingsContext,
  settingsEdit,
} from '../../../src/lib/settings/plan.js'

const cluster = (owners: Owner[] = []): SettingsContext => ({
  mode: 'kubernetes',
  location: 'daprsystem in namespace dapr-system',
  namespace: 'dapr-system',
  owners,
  sentryId: 'spiffe://cluster.local/ns/dapr-system/dapr-sentry',
})
const selfHosted: SettingsContext = {mode: 'self-hosted', location: '/home/me/.dapr/config.yaml'}
const installed = {
  enabled: true,
  workloadCertTTL: '24h',
  allowedClockSkew: '15m',
  controlPlaneTrustDomain: 'cluster.local',
}
const jwks = {name: 'jwks', options: {source: 'https://issuer.example/jwks.json'}}

const usage = (fn: () => unknown, message: RegExp) => {
  assert.throws(
    fn,
    (error: unknown) => error instanceof UsageError && error.exitCode === 2 && message.test(error.message),
  )
}

describe('settings plan', () => {
  describe('durations', () => {
    it('takes what Go parses and is above zero, in milliseconds', () => {
      assert.equal(positiveDuration('--x', '1h30m'), 5_400_000)
      assert.equal(positiveDuration('--x', '25s'), 25_000)
      assert.equal(positiveDuration('--x', '1.5h'), 5_400_000)
    })

    for (const [text, rule] of [
      ['0s', /--x 0s is not positive/],
      ['-5m', /--x -5m is not positive/],
      ['0', /--x 0 is not positive/],
      ['10', /--x "10" is not a Go duration/],
      ['1d', /--x "1d" is not a Go duration/],
      [' 5m', /--x " 5m" is not a Go duration/],
      ['', /--x "" is not a Go duration/],
    ] as const) {
      it(`refuses ${JSON.stringify(text)} naming the value and the rule (exit 2)`, () => {
        usage(() => positiveDuration('--x', text), rule)
      })
    }
  })

  describe('the flags of mtls set', () => {
    it('turns them into an edit of the named fields only', () => {
      assert.deepEqual(settingsEdit({workloadCertTTL: '2m'}, 'self-hosted'), {workloadCertTTL: '2m'})
      assert.deepEqual(settingsEdit({allowedClockSkew: '1m', enabled: false}, 'kubernetes'), {
        allowedClockSkew: '1m',
        enabled: false,
      })
    })

    it('refuses nothing to set, --enabled self-hosted, and an app flag without --enabled (exit 2)', () => {
      usage(() => settingsEdit({}, 'kubernetes'), /^nothing to set$/)
      usage(() => settingsEdit({enabled: true}, 'self-hosted'), /daprd turns mTLS on with its own --enable-mtls flag/)
      usage(
        () => settingsEdit({workloadCertTTL: '1h', appFlag: 'restart-apps'}, 'kubernetes'),
        /--restart-apps only goes with --enabled/,
      )
      usage(
        () => settingsEdit({workloadCertTTL: 'soon'}, 'kubernetes'),
        /--workload-cert-ttl "soon" is not a Go duration/,
      )
    })
  })

  describe('changes', () => {
    it('lists only the fields whose value changes, and says when a default becomes explicit', () => {
      const plan = planEdit(
        {enabled: true, allowedClockSkew: '15m'},
        {workloadCertTTL: '24h', allowedClockSkew: '15m', enabled: true},
        cluster(),
      )
      assert.deepEqual(plan.changes, [{field: 'workloadCertTTL', from: '24h (default)', to: '24h'}])
      assert.deepEqual(plan.edit, {workloadCertTTL: '24h'})
    })

    it('treats an unset enabled as false, as the injector does', () => {
      assert.deepEqual(planEdit({}, {enabled: false}, cluster()).changes, [])
      assert.deepEqual(planEdit({}, {enabled: true}, cluster()).changes, [
        {field: 'enabled', from: 'false', to: 'true'},
      ])
    })

    it('describes validators before and after', () => {
      const plan = planEdit(installed, {tokenValidators: [jwks]}, cluster())
      assert.deepEqual(plan.changes, [
        {field: 'tokenValidators', from: 'none', to: 'jwks: https://issuer.example/jwks.json'},
      ])
      const removed = planEdit({...installed, tokenValidators: [jwks]}, {tokenValidators: null}, selfHosted)
      assert.deepEqual(removed.changes[0]?.to, 'none')
    })

    it('no change: no warnings, no consequences', () => {
      const plan = planEdit(installed, {workloadCertTTL: '24h'}, cluster())
      assert.deepEqual(plan, {location: plan.location, changes: [], edit: {}, warnings: [], consequences: []})
      assert.match(renderPlan(plan), /no change: it already has these settings/)
    })
  })

  describe('warnings', () => {
    it('a TTL under a minute', () => {
      const [warning] = planEdit(installed, {workloadCertTTL: '30s', allowedClockSkew: '10s'}, cluster()).warnings
      assert.match(warning ?? '', /^workloadCertTTL 30s is under a minute/)
    })

    it('a skew not shorter than the TTL, with the values in effect after the change', () => {
      const warnings = planEdit(installed, {workloadCertTTL: '15m'}, cluster()).warnings
      assert.deepEqual(warnings.length, 1)
      assert.match(warnings[0] ?? '', /^allowedClockSkew 15m is not shorter than workloadCertTTL 15m/)
      assert.deepEqual(planEdit(installed, {workloadCertTTL: '16m'}, cluster()).warnings, [])
      assert.deepEqual(planEdit(installed, {tokenValidators: [jwks]}, cluster()).warnings, [])
    })
  })

  describe('consequences, said before writing', () => {
    it('-k: only Sentry reads TTL, skew and validators, at start; new TTL at the next renewal', () => {
      const [restart, renewal, helm] = planEdit(installed, {workloadCertTTL: '12h'}, cluster()).consequences
      assert.match(restart ?? '', /^Only Sentry reads workloadCertTTL, and only when it starts: .*dapr-sentry restarts/)
      assert.match(renewal ?? '', /next renewal/)
      assert.match(helm ?? '', /^If Dapr was installed with Helm: .*--set global.mtls.workloadCertTTL=12h\.$/)
    })

    it('-k: names the Helm release and every --set value that keeps the change; validators have none', () => {
      const owners: Owner[] = [{manager: 'Helm', name: 'release dapr in namespace dapr-system'}]
      const lines = planEdit(installed, {workloadCertTTL: '12h', allowedClockSkew: '5m'}, cluster(owners)).consequences
      assert.ok(
        lines.includes(
          "daprsystem belongs to Helm (release dapr in namespace dapr-system): its chart renders daprsystem from global.mtls.*, so a `helm upgrade` that renders another value there, and any `helm upgrade --force`, puts the chart's value back. Keep this one with --set global.mtls.workloadCertTTL=12h,global.mtls.allowedClockSkew=5m.",
        ),
        lines.join('\n'),
      )
      const validators = planEdit(installed, {tokenValidators: [jwks]}, cluster(owners)).consequences
      assert.ok(validators.some((line) => /no value for tokenValidators, so a `helm upgrade --force`/.test(line)))
      assert.ok(!validators.some((line) => /--set/.test(line)))
    })

    it('-k: an mTLS switch reaches only new pods, and sidecars that differ cannot call each other', () => {
      const lines = planEdit(installed, {enabled: false}, cluster()).consequences
      assert.match(lines[0] ?? '', /injector reads spec.mtls.enabled for each new pod.*cannot call each other/)
      assert.ok(!lines.some((line) => /Only Sentry/.test(line)))
    })

    it('-k: a JWKS validator serves other clients, with the token they need', () => {
      const lines = planEdit(installed, {tokenValidators: [jwks]}, cluster()).consequences
      assert.ok(
        lines.some(
          (line) =>
            /^Injected sidecars always use the Kubernetes validator/.test(line) &&
            line.includes('aud spiffe://cluster.local/ns/dapr-system/dapr-sentry'),
        ),
        lines.join('\n'),
      )
    })

    it('a URL source added: Sentry fetches it at start and exits if it cannot; an inline JWKS says nothing of the kind', () => {
      const url = planEdit(installed, {tokenValidators: [jwks]}, cluster()).consequences
      assert.ok(
        url.some((line) =>
          /^Sentry fetches https:\/\/issuer\.example\/jwks\.json when it starts and exits if it cannot .*remove jwks -k/.test(
            line,
          ),
        ),
        url.join('\n'),
      )
      const inline = {name: 'jwks', options: {source: '{"keys":[]}'}}
      assert.ok(
        !planEdit(installed, {tokenValidators: [inline]}, selfHosted).consequences.some((l) => /fetches/.test(l)),
      )
      const kept = planEdit({...installed, tokenValidators: [jwks]}, {workloadCertTTL: '1h'}, selfHosted).consequences
      assert.ok(!kept.some((line) => /fetches/.test(line)))
    })

    it('-k: Argo CD and Flux revert at their next sync', () => {
      const lines = planEdit(
        installed,
        {workloadCertTTL: '1h'},
        cluster([{manager: 'Argo CD', name: 'application dapr'}]),
      ).consequences
      assert.ok(lines.some((line) => /reconciled by Argo CD \(application dapr\): its next sync reverts/.test(line)))
    })

    it('self-hosted: restart Sentry; the first validator turns the insecure one off, removing the last turns it on', () => {
      const ttl = planEdit(installed, {workloadCertTTL: '2m'}, selfHosted).consequences
      assert.deepEqual(ttl, [
        'Sentry reads /home/me/.dapr/config.yaml (its --config) only when it starts: restart Sentry for the change to apply.',
      ])
      const added = planEdit(installed, {tokenValidators: [jwks]}, selfHosted).consequences
      assert.match(
        added[1] ?? '',
        /turns off its insecure validator: daprd, placement and scheduler .*DAPR_SENTRY_TOKEN_FILE/,
      )
      const removed = planEdit(
        {...installed, tokenValidators: [jwks]},
        {tokenValidators: null},
        selfHosted,
      ).consequences
      assert.match(removed[1] ?? '', /turns its insecure validator back on/)
    })
  })

  describe('switching mTLS with -k', () => {
    const plan = planEdit(installed, {enabled: false}, cluster())

    it('is refused without --restart-apps or --force, saying why (exit 2)', () => {
      usage(() => {
        assertEnabledChangeAllowed(plan, {restartApps: false, force: false})
      }, /--enabled=false changes nothing until every Dapr-enabled app is restarted/)
    })

    it('goes ahead with either, and when the value does not change', () => {
      assertEnabledChangeAllowed(plan, {restartApps: true, force: false})
      assertEnabledChangeAllowed(plan, {restartApps: false, force: true})
      assertEnabledChangeAllowed(planEdit(installed, {enabled: true}, cluster()), {restartApps: false, force: false})
    })
  })
})
