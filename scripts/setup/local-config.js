#!/usr/bin/env node
/**
 * Writes a copy of a lab config whose images are the offline stand-ins built
 * by scripts/setup/images.sh (for machines without a registry).
 *
 *   node scripts/setup/local-config.js IN.json OUT.json [NAME]
 */
'use strict';
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { dirname, relative, resolve } = require('node:path');

const LOCAL_IMAGES = {
  tomcat: 'msm-kit-local/tomcat:9.0-jre17',
  memcached: 'msm-kit-local/memcached:1.6',
  nginx: 'msm-kit-local/nginx:1.22',
};

function localConfig(cfg, name) {
  const out = { ...cfg, images: { ...LOCAL_IMAGES } };
  if (name) out.name = name;
  return out;
}

module.exports = { LOCAL_IMAGES, localConfig };

if (require.main === module) {
  const [input, output, name] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: local-config.js IN.json OUT.json [NAME]');
    process.exit(2);
  }
  const cfg = localConfig(JSON.parse(readFileSync(input, 'utf8')), name);
  // The stand-in above is Tomcat 9 on Java 17; never deploy it for another combination.
  const tomcat = (cfg.tomcat && cfg.tomcat.version) || '9';
  const java = (cfg.tomcat && cfg.tomcat.javaVersion) || 17;
  if (tomcat !== '9' || java !== 17) {
    console.error(
      `local-config: ${input} asks for Tomcat ${tomcat} on Java ${java}, but the default stand-in is ${LOCAL_IMAGES.tomcat}. ` +
        `Fix: build one with scripts/setup/images.sh tomcat --tag msm-kit-local/tomcat:<v>-jre${java} --tomcat-version <exact> --java ${java} --suite <suite> --jre-package <package> ` +
        '(README, "Tomcat × Java, deployed") and set images.tomcat to it',
    );
    process.exit(1);
  }
  const schema = resolve(__dirname, '..', '..', 'lab.config.schema.json');
  cfg.$schema = relative(dirname(resolve(output)), schema);
  mkdirSync(dirname(resolve(output)), { recursive: true });
  writeFileSync(output, JSON.stringify(cfg, null, 2) + '\n');
}
