/**
 * FORM login in non-sticky mode, and the kit's opt-in workaround for it
 * (`manager.formLoginWorkaround`).
 *
 * Tomcat's FormAuthenticator, with session-fixation protection on (its default),
 * changes the session id when it shows the login page and keeps the new id in a
 * session *note* (Constants.SESSION_ID_NOTE); the POST to j_security_check must
 * present that id and find that note. msm stores two notes of a session (the saved
 * request and the saved principal) but not this one, and in non-sticky mode every
 * request loads the session from memcached: the note is gone, Tomcat expires the
 * session and answers 408. `changeSessionIdOnAuthentication="false"` skips both the
 * id change and the note check, at a price: the session id is no longer changed at
 * login, so an id an attacker planted before login stays valid after it.
 */
import type { TomcatVersionName } from './schema';

/** Tomcat's FORM authenticator valve, as context.xml names it (same package on every supported Tomcat). */
export const FORM_AUTHENTICATOR_CLASS = 'org.apache.catalina.authenticator.FormAuthenticator';

/** The attribute the workaround sets to "false" (AuthenticatorBase.setChangeSessionIdOnAuthentication). */
export const CHANGE_SESSION_ID_ATTRIBUTE = 'changeSessionIdOnAuthentication';

/**
 * The Tomcat release, per supported version, whose source was read for the
 * workaround: AuthenticatorBase has setChangeSessionIdOnAuthentication(boolean)
 * and FormAuthenticator consults it both when it shows the login page and at
 * j_security_check (apache/tomcat tags 7.0.109, 8.5.100, 9.0.117, 10.1.59,
 * 11.0.24). Every supported version has it, so no config is refused for it; a
 * version added to the kit does not compile until it has an entry here, and a
 * test ties each entry to the release the kit deploys (images.ts
 * TOMCAT_RELEASES), so a release bump asks for a new reading.
 */
export const FORM_LOGIN_WORKAROUND_CHECKED: Record<TomcatVersionName, string> = {
  '7': '7.0.109',
  '8.5': '8.5.100',
  '9': '9.0.117',
  '10.1': '10.1.59',
  '11': '11.0.24',
};
