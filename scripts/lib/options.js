'use strict';
// The command-line options of the kit's scripts: `--name value` pairs and `--flag` switches.
const args = process.argv.slice(2);

/** The value after `name` (e.g. '--runs'), or `dflt` when the option is not given. */
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

/** Whether the switch `name` (e.g. '--stand-ins') is given. */
const has = (name) => args.includes(name);

module.exports = { args, opt, has };
