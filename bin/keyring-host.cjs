'use strict'
// The native keychain module's process (src/stores/native-host.ts): runs @napi-rs/keyring calls
// for one vault process, received over the IPC channel, and answers each with its value or its
// error's message. A call stuck in native code keeps a thread that Node joins at exit, so it is
// kept out of vault's own process: vault can then end with its own exit code (69) and kill this
// one. CommonJS and dependency-free, so it starts in Node's start-up time.

// Pin Linux to the Secret Service: the binding would otherwise fall back silently to the kernel
// keyring, which forgets everything at reboot. The option is ignored on other platforms.
const ENTRY_OPTIONS = { linux: { store: 'secret-service' } }

let binding
function load() {
  if (process.platform === 'linux') {
    // The package's own loader first probes for musl (reading /usr/bin/ldd, ~2 ms); on glibc
    // the prebuilt binary's package can be loaded straight away, and on musl it is not installed.
    try {
      return require(`@napi-rs/keyring-linux-${process.arch}-gnu`)
    } catch {}
  }
  return require('@napi-rs/keyring')
}

// Loaded at once, then said: vault's per-call deadlines start once the host is up, so a busy
// machine's slow process start is not taken for a keyring that does not answer.
try {
  binding = load()
  process.send({ ready: true })
} catch (err) {
  process.send({ ready: false, error: err instanceof Error ? err.message : String(err) })
}

let pending = 0
process.on('message', async (req) => {
  pending++
  try {
    binding ??= load()
    let value
    if (req.op === 'find') {
      value = await binding.findCredentialsAsync(req.service, null)
    } else {
      const entry = new binding.AsyncEntry(req.service, req.account, ENTRY_OPTIONS)
      if (req.op === 'get') value = await entry.getPassword()
      else if (req.op === 'set') value = await entry.setPassword(req.password)
      else value = await entry.deleteCredential()
    }
    process.send({ id: req.id, value })
  } catch (err) {
    process.send({ id: req.id, error: err instanceof Error ? err.message : String(err) })
  } finally {
    pending--
  }
})

// vault went away: an idle host ends; one stuck in a native call can only be killed.
process.on('disconnect', () => {
  if (pending > 0) process.kill(process.pid, 'SIGKILL')
  else process.exit(0)
})
