package msmkit.tomcat;

import org.apache.catalina.LifecycleException;

import de.javakaffee.web.msm.KitProbes;
import de.javakaffee.web.msm.KitSessionService;
import de.javakaffee.web.msm.MemcachedBackupSessionManager;
import de.javakaffee.web.msm.Statistics;
import de.javakaffee.web.msm.Statistics.StatsType;

/**
 * msm 2.3.2's Manager with msm-kit's session service (de.javakaffee.web.msm.KitSessionService):
 * in non-sticky mode a read that fails on a dead memcached node loads the session's backup
 * copy instead of answering "no such session", and msm's failure logs come as one line per
 * kind per interval (LogThrottle) instead of a stack trace per failed backup, and its stop
 * waits for the session backups still running before msm recycles the sessions and closes
 * the memcached client (msmkit.stopBackupWaitMillis, default 5000), and a session's asynchronous
 * backups land in the order of its requests. It also shows msm's timing
 * and size statistics as numbers (getMsmKit*), which Tomcat's MBean registry exposes like
 * msm's own getters and the lab's JMX exporter reads. Everything else is msm's.
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

    // msm's probes as numbers (msm's own msmStat*Info getters give them as text only).
    private Statistics stats() {
        return _msm.getStatistics();
    }

    /** Session backups msm timed (written to the store, not skipped, not relocated). */
    public long getMsmKitBackupCount() {
        return KitProbes.count(stats().getProbe(StatsType.BACKUP));
    }

    /** Average time of a session backup, in milliseconds. */
    public double getMsmKitBackupMillisAvg() {
        return KitProbes.avg(stats().getProbe(StatsType.BACKUP));
    }

    /** Longest session backup, in milliseconds. */
    public long getMsmKitBackupMillisMax() {
        return KitProbes.max(stats().getProbe(StatsType.BACKUP));
    }

    /** Sessions loaded from the store, timed. */
    public long getMsmKitLoadCount() {
        return KitProbes.count(stats().getProbe(StatsType.LOAD_FROM_MEMCACHED));
    }

    /** Average time to load a session from the store, in milliseconds. */
    public double getMsmKitLoadMillisAvg() {
        return KitProbes.avg(stats().getProbe(StatsType.LOAD_FROM_MEMCACHED));
    }

    /** Average size of a session as stored (serialized), in bytes. */
    public double getMsmKitSessionBytesAvg() {
        return KitProbes.avg(stats().getProbe(StatsType.CACHED_DATA_SIZE));
    }

    /** Largest session stored (serialized), in bytes. */
    public long getMsmKitSessionBytesMax() {
        return KitProbes.max(stats().getProbe(StatsType.CACHED_DATA_SIZE));
    }

    /** Asynchronous backups that waited for their session's previous one, so that they land in order (0 with synchronous backups). */
    public long getMsmKitOrderedBackupCount() {
        return _msm instanceof KitSessionService ? ((KitSessionService) _msm).getOrderedBackupCount() : 0L;
    }

    /** Sessions missing on their memcached node (which answered: restarted empty) that were restored there from their backup copy. */
    public long getMsmKitRestoredFromBackupCount() {
        return _msm instanceof KitSessionService ? ((KitSessionService) _msm).getRestoredFromBackupCount() : 0L;
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
