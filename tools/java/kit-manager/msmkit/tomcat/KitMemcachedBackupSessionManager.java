package msmkit.tomcat;

import org.apache.catalina.LifecycleException;

import de.javakaffee.web.msm.KitSessionService;
import de.javakaffee.web.msm.MemcachedBackupSessionManager;

/**
 * msm 2.3.2's Manager with msm-kit's session service (de.javakaffee.web.msm.KitSessionService):
 * in non-sticky mode a read that fails on a dead memcached node loads the session's backup
 * copy instead of answering "no such session", and msm's failure logs come as one line per
 * kind per interval (LogThrottle) instead of a stack trace per failed backup, and its stop
 * waits for the session backups still running before msm recycles the sessions and closes
 * the memcached client (msmkit.stopBackupWaitMillis, default 5000). Everything else is msm's.
 *
 * The same source serves every Tomcat the kit deploys: compiled against msm's core and tc9
 * jars for Tomcat 7, 8.5 and 9 (their MemcachedBackupSessionManager classes share the name
 * and the members used here), and converted to jakarta.* for Tomcat 10.1 and 11, where
 * JakartaMemcachedBackupSessionManager extends it. Written for msm-kit.
 */
public class KitMemcachedBackupSessionManager extends MemcachedBackupSessionManager {

    public KitMemcachedBackupSessionManager() {
        // msm's constructor made its own service; nothing has been configured on it yet
        // (Tomcat sets the Manager's attributes after construction), so it is replaced whole.
        _msm = new KitSessionService(this);
    }

    @Override
    public void startInternal() throws LifecycleException {
        super.startInternal();
        LogThrottle.install(MemcachedBackupSessionManager.class.getClassLoader());
    }

    /** How long a stop waits in all for the session backups still running. */
    static final long STOP_BACKUP_WAIT_MILLIS = Long.getLong("msmkit.stopBackupWaitMillis", 5000L);

    @Override
    public void stopInternal() throws LifecycleException {
        // Before msm's stop: it recycles the sessions and closes the client under running backups.
        if (_msm instanceof KitSessionService) {
            ((KitSessionService) _msm).awaitPendingBackups(STOP_BACKUP_WAIT_MILLIS);
        }
        super.stopInternal();
    }
}
