import { commands as helpPlugin } from '@oclif/plugin-help'
import Add from '../commands/add.js'
import AgentLock from '../commands/agent/lock.js'
import AgentRun from '../commands/agent/run.js'
import AgentServe from '../commands/agent/serve.js'
import AgentStart from '../commands/agent/start.js'
import AgentStatus from '../commands/agent/status.js'
import AgentStop from '../commands/agent/stop.js'
import Clear from '../commands/clear.js'
import Exec from '../commands/exec.js'
import Export from '../commands/export.js'
import Import from '../commands/import.js'
import List from '../commands/list.js'
import Log from '../commands/log.js'
import Login from '../commands/login.js'
import MigrateBackend from '../commands/migrate-backend.js'
import Remove from '../commands/remove.js'
import Rotate from '../commands/rotate.js'
import ShellInit from '../commands/shell-init.js'
import SsoPopulate from '../commands/sso/populate.js'
import Status from '../commands/status.js'
import Version from '../commands/version.js'

/**
 * Every command, by its oclif id (a topic's commands as `topic:name`). oclif finds them here
 * (package.json: `oclif.commands`, strategy "explicit"), not by walking dist/commands/, so the full
 * CLI is one bundle (bundle.ts). oclif.manifest.json is generated from this table; a file under
 * src/commands/ that is missing here is caught by test/cli/command-table.test.ts. `help` is
 * @oclif/plugin-help's command, bundled here rather than loaded as a plugin with a second oclif.
 */
export const COMMANDS = {
  add: Add,
  clear: Clear,
  exec: Exec,
  export: Export,
  help: helpPlugin.help,
  import: Import,
  list: List,
  log: Log,
  login: Login,
  'migrate-backend': MigrateBackend,
  remove: Remove,
  rotate: Rotate,
  'shell-init': ShellInit,
  status: Status,
  version: Version,
  'agent:lock': AgentLock,
  'agent:run': AgentRun,
  'agent:serve': AgentServe,
  'agent:start': AgentStart,
  'agent:status': AgentStatus,
  'agent:stop': AgentStop,
  'sso:populate': SsoPopulate,
}
