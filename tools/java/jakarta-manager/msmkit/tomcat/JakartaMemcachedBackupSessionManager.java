package msmkit.tomcat;

import de.javakaffee.web.msm.MemcachedBackupSession;

import org.apache.catalina.Session;
import org.apache.catalina.session.ManagerBase;

/**
 * msm 2.3.2's Manager (converted to jakarta.* by msm-kit) adapted to Tomcat 10.1 and 11.
 * It extends the kit's Manager (KitMemcachedBackupSessionManager, converted the same way),
 * so a read that fails on a dead memcached node loads the backup copy here too.
 *
 * Two things in Tomcat changed under msm:
 * - Tomcat 10.1 renews a session id through rotateSessionId(Session) (authentication,
 *   HttpServletRequest.changeSessionId); msm hooks the older changeSessionId(Session),
 *   which no longer exists, so the id change would not be flagged for the next backup.
 * - Tomcat 11 dropped the protected field ManagerBase.sessionCounter (its counter is now
 *   active + expired sessions); msm increments that field on every new session, which
 *   fails there with NoSuchFieldError.
 *
 * Written for msm-kit; compiled with javac --release 11 against Tomcat 10.1's API.
 */
public class JakartaMemcachedBackupSessionManager extends KitMemcachedBackupSessionManager {

    /** Whether this Tomcat still has ManagerBase.sessionCounter (10.1: yes, 11: no). */
    private static final boolean HAS_SESSION_COUNTER = hasSessionCounter();

    private static boolean hasSessionCounter() {
        try {
            ManagerBase.class.getDeclaredField("sessionCounter");
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    @Override
    public void incrementSessionCounter() {
        // Tomcat 11 derives the counter from active and expired sessions: nothing to count here.
        if (HAS_SESSION_COUNTER) {
            super.incrementSessionCounter();
        }
    }

    @Override
    public String rotateSessionId(final Session session) {
        final String newId = super.rotateSessionId(session);
        // What msm's changeSessionId(Session) hook does on Tomcat 9: the next backup must
        // store the session under its new id even when no attribute changed.
        if (session instanceof MemcachedBackupSession) {
            ((MemcachedBackupSession) session).setSessionIdChanged(true);
        }
        return newId;
    }
}
