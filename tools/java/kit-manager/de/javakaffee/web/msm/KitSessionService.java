package de.javakaffee.web.msm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.catalina.connector.Request;

import de.javakaffee.web.msm.BackupSessionTask.BackupResult;
import de.javakaffee.web.msm.storage.StorageClient;

/**
 * msm 2.3.2's session service with a read that falls back to the backup copy when the
 * primary node fails, written for msm-kit.
 *
 * Why: in non-sticky mode msm learns that a memcached node is gone only from its node
 * availability cache (msm.nodeAvailabilityCacheTTL, 1 s). Until that entry expires, every
 * request whose session lives on the dead node sends its lock/get there; the I/O error is
 * logged and treated as "no such session", so Tomcat creates a new, empty one although the
 * backup copy sits on the next node. Here a failed primary read marks the node down at
 * once (msm's own availability cache, so every later request takes msm's failover path),
 * loads the backup copy through msm's own relocation (a new id on a live node) and hands
 * the request the relocated session under its new id, cookie included.
 *
 * The other half: msm writes the backup copy on its secondary backup thread, after the
 * response, and not at all when the validity write fails. A request whose write the primary
 * acknowledged just before it died, or whose write failed there, leaves a backup without that
 * update, and the session's next request reads it. The secondary thread also lags by seconds
 * at a node's death: its two threads (one per CPU) wait on the dead node for other sessions.
 * Here (with synchronous backups, what non-sticky labs use, and two or more nodes) the
 * request writes the backup copy, session and validity, before the response leaves, and
 * msm's secondary thread no longer writes the session's copy (it would be the same bytes, or,
 * when it lags behind a later request of the session, older ones). It still pings copies of
 * unchanged sessions and stores one found missing, and still refreshes validity copies.
 *
 * A read that finds nothing on a node that answers is "no such session" to msm, even when the
 * node answers only because it came back empty (memcached keeps nothing across a restart; on
 * Kubernetes a killed memcached pod is replaced within seconds, behind the same address): every
 * session whose primary copy was there and that nobody used while the node was away is lost,
 * although its backup copy sits on the next node (measured: 21 of 40 idle sessions, on a
 * Kubernetes lab). Here such a miss, on a request, looks for the backup copy: when it is there
 * and still valid, it is written back to the primary node (an add, so a newer write there wins)
 * and msm loads the session as if it had never been missing, under the same id
 * ({@link ReadFailureRecorder#restoreFromBackup}). A session that is really gone has no valid
 * backup copy either (msm deletes both copies when a session ends) and stays gone. Cost: two
 * reads on the backup node for a request that names a missing session.
 * Sticky mode needs none of this (the session lives in its Tomcat).
 *
 * At a Tomcat's stop (both modes, asynchronous backups: what sticky labs use): msm's stop
 * recycles the local sessions and closes the memcached client without waiting for the
 * backups its msm-storage threads still run, so the last change of a session, or a new
 * session whole, never reaches memcached, and the next Tomcat starts it empty (seen on 7 of 8
 * sticky sessions whose Tomcat was stopped right after their first response). Here the
 * Manager's stop first waits for those backups ({@link #awaitPendingBackups}).
 *
 * One more gap with asynchronous backups: msm runs them on a pool (one thread per CPU) with
 * no order per session. A request that follows its session's previous one within a few
 * milliseconds can have its backup written first and then overwritten by the older one's,
 * so memcached keeps the previous state while the Tomcat's local copy is newer. Nobody sees
 * it until that Tomcat dies: the next Tomcat then loads the older state (seen once in CI: a
 * sticky session's counter went 6, 6 across a Tomcat's stop). Here a session's backup waits
 * for its previous one when that is still running ({@link #awaitPreviousBackup}), so a
 * session's writes land in the order of its requests.
 *
 * Lives in msm's package because msm keeps the nodes manager package-private; it is loaded
 * by the same class loader as msm (both in $CATALINA_HOME/lib), so that access is legal.
 */
public class KitSessionService extends MemcachedSessionService {

    /** Whether a storage read failed on this thread since the last {@link #findSession} began. */
    private static final ThreadLocal<Boolean> READ_FAILED = new ThreadLocal<Boolean>();
    /** The session id this thread's {@link #findSession} is loading (the storage wrapper restores a missing primary copy of it). */
    private static final ThreadLocal<String> FINDING = new ThreadLocal<String>();
    /** Whether a storage write this thread waited for failed since the last {@link #backupSession} began. */
    private static final ThreadLocal<Boolean> WRITE_FAILED = new ThreadLocal<Boolean>();

    /** Each session's last asynchronous backup not yet seen done: the next backup of that session, and the Manager's stop, wait for it. */
    private final ConcurrentHashMap<String, Future<BackupResult>> _pendingBackups = new ConcurrentHashMap<String, Future<BackupResult>>();
    /** How many backups waited for their session's previous one (a probe, read by the Manager). */
    private final AtomicLong _orderedBackups = new AtomicLong();
    /** How many sessions missing on their (live) node were restored from their backup copy (a probe, read by the Manager). */
    private final AtomicLong _restoredFromBackup = new AtomicLong();

    /** The request of the current thread, as msm's host valve records it. */
    private volatile CurrentRequest _kitCurrentRequest;

    public KitSessionService(final SessionManager manager) {
        super(manager);
    }

    // What msm's per-Tomcat managers (tc7, tc8, tc9: the same code) do to their valves.
    @Override
    protected RequestTrackingContextValve createRequestTrackingContextValve(final String sessionCookieName) {
        final RequestTrackingContextValve result = super.createRequestTrackingContextValve(sessionCookieName);
        result.setAsyncSupported(true);
        return result;
    }

    @Override
    protected RequestTrackingHostValve createRequestTrackingHostValve(final String sessionCookieName, final CurrentRequest currentRequest) {
        _kitCurrentRequest = currentRequest;
        final RequestTrackingHostValve result = super.createRequestTrackingHostValve(sessionCookieName, currentRequest);
        result.setAsyncSupported(true);
        return result;
    }

    @Override
    protected StorageClient createStorageClient(final MemcachedNodesManager memcachedNodesManager, final Statistics statistics) {
        final StorageClient storage = super.createStorageClient(memcachedNodesManager, statistics);
        return storage == null ? null : new ReadFailureRecorder(storage, this);
    }

    /** Whether the request writes the backup copy itself (non-sticky, synchronous backups, two or more nodes). */
    boolean writesBackupInRequest() {
        final MemcachedNodesManager nodes = getMemcachedNodesManager();
        return !isSticky() && !isSessionBackupAsync() && nodes != null && nodes.getCountNodes() > 1;
    }

    @Override
    public MemcachedBackupSession findSession(final String id) throws IOException {
        READ_FAILED.remove();
        // Only a request's lookup may restore a missing copy (not Tomcat's connector parsing the cookie).
        final boolean inRequest = writesBackupInRequest() && _kitCurrentRequest != null && _kitCurrentRequest.get() != null;
        if (inRequest) {
            FINDING.set(id);
        }
        final MemcachedBackupSession found;
        try {
            found = super.findSession(id);
        } finally {
            FINDING.remove();
        }
        final boolean readFailed = READ_FAILED.get() != null;
        READ_FAILED.remove();
        if (found != null || id == null || !readFailed || isSticky()) {
            return found;
        }
        return loadBackupAfterFailedRead(id);
    }

    @Override
    public Future<BackupResult> backupSession(final String sessionId, final boolean sessionIdChanged, final String requestId) {
        awaitPreviousBackup(sessionId);
        final MemcachedBackupSession session = writesBackupInRequest() ? _manager.getSessionInternal(sessionId) : null;
        WRITE_FAILED.remove();
        final Future<BackupResult> result = super.backupSession(sessionId, sessionIdChanged, requestId);
        final boolean writeFailed = WRITE_FAILED.get() != null;
        WRITE_FAILED.remove();
        if (session != null) {
            storeBackupInRequest(session, result, writeFailed);
        }
        if (sessionId != null && result != null && !result.isDone()) {
            trackPendingBackup(sessionId, result);
        }
        return result;
    }

    /**
     * Waits (up to msm's sessionBackupTimeout) for the session's previous asynchronous backup
     * when it still runs, so that this request's backup cannot land before it and be overwritten.
     */
    private void awaitPreviousBackup(final String sessionId) {
        final Future<BackupResult> previous = sessionId == null ? null : _pendingBackups.get(sessionId);
        if (previous == null) {
            return;
        }
        if (!previous.isDone()) {
            _orderedBackups.incrementAndGet();
            try {
                previous.get(getSessionBackupTimeout(), TimeUnit.MILLISECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (final Exception e) {
                // Failed or late: msm logs its own failure; this backup goes ahead.
                _log.debug("msm-kit: session " + sessionId + "'s previous backup did not finish in order: " + e);
            }
        }
        _pendingBackups.remove(sessionId, previous);
    }

    /** The number of sessions missing on their node that were restored from their backup copy. */
    public long getRestoredFromBackupCount() {
        return _restoredFromBackup.get();
    }

    /** The number of backups that waited for their session's previous one to finish. */
    public long getOrderedBackupCount() {
        return _orderedBackups.get();
    }

    private void trackPendingBackup(final String sessionId, final Future<BackupResult> backup) {
        _pendingBackups.put(sessionId, backup);
        if (_pendingBackups.size() > 256) {
            for (final Iterator<Future<BackupResult>> it = _pendingBackups.values().iterator(); it.hasNext();) {
                if (it.next().isDone()) {
                    it.remove();
                }
            }
        }
    }

    /**
     * Waits, up to {@code timeoutMillis} in all, for the asynchronous backups still running;
     * called by the Manager's stop before msm recycles the sessions and closes the client.
     */
    public void awaitPendingBackups(final long timeoutMillis) {
        final List<Future<BackupResult>> pending = new ArrayList<Future<BackupResult>>();
        for (final Future<BackupResult> backup : _pendingBackups.values()) {
            if (!backup.isDone()) {
                pending.add(backup);
            }
        }
        _pendingBackups.clear();
        if (pending.isEmpty()) {
            return;
        }
        final long start = System.currentTimeMillis();
        final long deadline = start + timeoutMillis;
        int written = 0;
        int failed = 0;
        int late = 0;
        for (final Future<BackupResult> backup : pending) {
            final long left = deadline - System.currentTimeMillis();
            try {
                if (left <= 0) {
                    late++;
                } else if (backup.get(left, TimeUnit.MILLISECONDS).getStatus() == BackupResultStatus.FAILURE) {
                    failed++;
                } else {
                    written++;
                }
            } catch (final TimeoutException e) {
                late++;
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                late++;
                break;
            } catch (final Exception e) {
                failed++;
            }
        }
        final String line = "msm-kit: the Manager stops: waited " + (System.currentTimeMillis() - start) + " ms for " + pending.size()
                + " session backup(s) still running (" + written + " done, " + failed + " failed, " + late + " not done within "
                + timeoutMillis + " ms) before msm closes the memcached client";
        if (failed + late > 0) {
            _log.warn(line);
        } else {
            _log.info(line);
        }
    }

    /** Writes the backup copy (session and validity) of a stored session now, in the request; said when the primary's write failed. */
    private void storeBackupInRequest(final MemcachedBackupSession session, final Future<BackupResult> result, final boolean writeFailed) {
        final long timeout = getSessionBackupTimeout();
        try {
            final BackupResult backup = result.get(timeout, TimeUnit.MILLISECONDS);
            if (backup.getStatus() == BackupResultStatus.SKIPPED || backup.getData() == null) {
                return;
            }
            final boolean primaryFailed = backup.getStatus() == BackupResultStatus.FAILURE || writeFailed;
            final MemcachedNodesManager nodes = getMemcachedNodesManager();
            final SessionIdFormat format = nodes.getSessionIdFormat();
            final String id = session.getIdInternal();
            // No other node is available (the copy's node is down too): nowhere to write, as for msm's own thread.
            final String primary = format.extractMemcachedId(id);
            if (primary == null || nodes.getNextAvailableNodeId(primary) == null) {
                return;
            }
            final int maxInactive = session.getMaxInactiveInterval();
            final byte[] validity = SessionValidityInfo.encode(maxInactive, session.getLastAccessedTimeInternal(), session.getThisAccessedTimeInternal());
            final StorageClient storage = getStorageClient();
            final Future<Boolean> data = storage.set(format.createBackupKey(id), MemcachedUtil.toMemcachedExpiration(session.getMemcachedExpirationTimeToSet()), backup.getData());
            final Future<Boolean> valid = storage.set(format.createBackupKey(format.createValidityInfoKeyName(id)), MemcachedUtil.toMemcachedExpiration(maxInactive <= 0 ? 0 : maxInactive), validity);
            data.get(timeout, TimeUnit.MILLISECONDS);
            valid.get(timeout, TimeUnit.MILLISECONDS);
            if (primaryFailed) {
                _log.info("msm-kit: storing session " + id + " (or its validity info) on its primary node failed; its backup copy was written before the response");
            }
        } catch (final Exception e) {
            _log.warn("msm-kit: the backup copy of session " + session.getIdInternal() + " could not be written before the response"
                    + " (msm's secondary thread no longer writes it; the next write of the session does): " + e);
        }
    }

    /** The primary node of {@code id} failed a read: mark it down, relocate the session from its backup copy. */
    private MemcachedBackupSession loadBackupAfterFailedRead(final String id) throws IOException {
        final MemcachedNodesManager nodes = getMemcachedNodesManager();
        final String nodeId = nodes.getSessionIdFormat().extractMemcachedId(id);
        final Request request = _kitCurrentRequest == null ? null : _kitCurrentRequest.get();
        if (nodeId == null || request == null) {
            return null;
        }
        nodes.setNodeAvailable(nodeId, false);
        _log.info("msm-kit: reading session " + id + " from memcached node " + nodeId + " failed; node marked unavailable, loading the backup copy");
        // msm's own failover path: loads the backup copy from the next node and adds it
        // locally under a new id on a live node (null: no backup copy was found).
        final String newId = changeSessionIdOnMemcachedFailover(id);
        if (newId == null) {
            _log.warn("msm-kit: no backup copy of session " + id + " was found after node " + nodeId + " failed: the request gets a new session");
            return null;
        }
        final MemcachedBackupSession relocated = super.findSession(newId);
        if (relocated == null) {
            return null;
        }
        // The relocated session must be stored under its new id at the end of the request
        // even if nothing in it changed (what msm's context valve does on its own failover).
        relocated.setSessionIdChanged(true);
        request.changeSessionId(newId);
        return relocated;
    }

    /** A write's or add's result that passes cancel and the state through to msm's future; subclasses say what get does. */
    private abstract static class ForwardingResult implements Future<Boolean> {
        protected final Future<Boolean> _delegate;

        ForwardingResult(final Future<Boolean> delegate) {
            _delegate = delegate;
        }

        @Override
        public boolean cancel(final boolean mayInterruptIfRunning) {
            return _delegate.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return _delegate.isCancelled();
        }

        @Override
        public boolean isDone() {
            return _delegate.isDone();
        }
    }

    /** A write's result; records on the thread that waits for it that the write failed. */
    private static final class WriteFailureRecorder extends ForwardingResult {
        WriteFailureRecorder(final Future<Boolean> delegate) {
            super(delegate);
        }

        @Override
        public Boolean get() throws InterruptedException, ExecutionException {
            try {
                return _delegate.get();
            } catch (final ExecutionException e) {
                WRITE_FAILED.set(Boolean.TRUE);
                throw e;
            } catch (final RuntimeException e) {
                WRITE_FAILED.set(Boolean.TRUE);
                throw e;
            }
        }

        @Override
        public Boolean get(final long timeout, final TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            try {
                return _delegate.get(timeout, unit);
            } catch (final ExecutionException e) {
                WRITE_FAILED.set(Boolean.TRUE);
                throw e;
            } catch (final TimeoutException e) {
                WRITE_FAILED.set(Boolean.TRUE);
                throw e;
            } catch (final RuntimeException e) {
                WRITE_FAILED.set(Boolean.TRUE);
                throw e;
            }
        }
    }

    /** msm's secondary backup threads (LockingStrategy's pool). */
    private static final String SECONDARY_THREAD_PREFIX = "msm-2ndary-backup";
    /** The backup key the current secondary thread just found missing with its ping (an add); its store that follows goes through. */
    private static final ThreadLocal<String> PINGED_MISSING = new ThreadLocal<String>();

    /** A write that did not happen, reported as done: msm's secondary copy of a session the request already wrote. */
    private static final class Written implements Future<Boolean> {
        static final Written INSTANCE = new Written();

        @Override
        public boolean cancel(final boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Boolean get() {
            return Boolean.TRUE;
        }

        @Override
        public Boolean get(final long timeout, final TimeUnit unit) {
            return Boolean.TRUE;
        }
    }

    /** An add's result on msm's secondary thread: when it succeeded (the copy was missing) the thread's next store of that key goes through. */
    private static final class PingResult extends ForwardingResult {
        private final String _key;

        PingResult(final Future<Boolean> delegate, final String key) {
            super(delegate);
            _key = key;
        }

        private Boolean noted(final Boolean added) {
            if (Boolean.TRUE.equals(added)) {
                PINGED_MISSING.set(_key);
            } else {
                PINGED_MISSING.remove();
            }
            return added;
        }

        @Override
        public Boolean get() throws InterruptedException, ExecutionException {
            PINGED_MISSING.remove();
            return noted(_delegate.get());
        }

        @Override
        public Boolean get(final long timeout, final TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            PINGED_MISSING.remove();
            return noted(_delegate.get(timeout, unit));
        }
    }

    /**
     * Passes every call through; records on the calling thread that a read failed (and, through its
     * results, a write); drops msm's secondary thread's write of a session's backup copy when the
     * request writes it (the validity copy, and a copy its ping found missing, still go through).
     */
    private static final class ReadFailureRecorder implements StorageClient {
        private final StorageClient _delegate;
        private final KitSessionService _service;

        ReadFailureRecorder(final StorageClient delegate, final KitSessionService service) {
            _delegate = delegate;
            _service = service;
        }

        /** msm's secondary thread writing a session's backup copy (not its validity copy), which the request already wrote. */
        private boolean writtenByRequest(final String key) {
            if (!Thread.currentThread().getName().startsWith(SECONDARY_THREAD_PREFIX) || !_service.writesBackupInRequest()) {
                return false;
            }
            final SessionIdFormat format = _service.getMemcachedNodesManager().getSessionIdFormat();
            if (!format.isBackupKey(key) || key.contains("validity:")) {
                return false;
            }
            final boolean pingedMissing = key.equals(PINGED_MISSING.get());
            PINGED_MISSING.remove();
            return !pingedMissing;
        }

        @Override
        public byte[] get(final String key) {
            final byte[] found;
            try {
                found = _delegate.get(key);
            } catch (final RuntimeException e) {
                READ_FAILED.set(Boolean.TRUE);
                throw e;
            }
            final String id = FINDING.get();
            if (found != null || id == null || !key.equals(_service.getMemcachedNodesManager().getStorageKeyFormat().format(id))) {
                return found;
            }
            return restoreFromBackup(id, key);
        }

        /**
         * The session's data was missing on its node, which answered: when its backup copy (data and
         * validity, on the next node) is there and valid, writes both back to the primary node (add:
         * a copy written there meanwhile wins) and returns the data msm goes on to load; else null.
         */
        private byte[] restoreFromBackup(final String id, final String key) {
            final MemcachedNodesManager nodes = _service.getMemcachedNodesManager();
            final SessionIdFormat format = nodes.getSessionIdFormat();
            final String nodeId = format.extractMemcachedId(id);
            if (nodeId == null || nodes.getNextAvailableNodeId(nodeId) == null) {
                return null;
            }
            final long timeout = _service.getOperationTimeout();
            try {
                final String validityKey = format.createValidityInfoKeyName(id);
                final byte[] validity = _delegate.get(format.createBackupKey(validityKey));
                if (validity == null || !SessionValidityInfo.decode(validity).isValid()) {
                    return null;
                }
                final byte[] data = _delegate.get(format.createBackupKey(id));
                if (data == null) {
                    return null;
                }
                final int maxInactive = SessionValidityInfo.decode(validity).getMaxInactiveInterval();
                final int expiration = MemcachedUtil.toMemcachedExpiration(maxInactive <= 0 ? 0 : maxInactive);
                final Future<Boolean> addedData = _delegate.add(key, expiration, data);
                final Future<Boolean> addedValidity = _delegate.add(validityKey, expiration, validity);
                final boolean restored = addedData.get(timeout, TimeUnit.MILLISECONDS);
                addedValidity.get(timeout, TimeUnit.MILLISECONDS);
                if (!restored) {
                    // Written on the primary node since the miss: that copy is newer.
                    return _delegate.get(key);
                }
                _service._restoredFromBackup.incrementAndGet();
                _service._log.info("msm-kit: session " + id + " was missing on its memcached node " + nodeId
                        + " (which answers: restarted empty?); restored it there from its backup copy");
                return data;
            } catch (final Exception e) {
                _service._log.warn("msm-kit: session " + id + " is missing on its memcached node " + nodeId + " and its backup copy could not be read or restored: " + e);
                return null;
            }
        }

        @Override
        public Future<Boolean> add(final String key, final int exp, final byte[] o) {
            final Future<Boolean> added = _delegate.add(key, exp, o);
            // msm's ping of a backup copy: an add that succeeds means the copy was missing, and msm stores it next.
            return Thread.currentThread().getName().startsWith(SECONDARY_THREAD_PREFIX) ? new PingResult(added, key) : added;
        }

        /** A session's own data (not its backup copy, validity record or lock). */
        private boolean isSessionData(final String key) {
            return !_service.getMemcachedNodesManager().getSessionIdFormat().isBackupKey(key) && !key.contains("validity:") && !key.contains("lock:");
        }

        @Override
        public Future<Boolean> set(final String key, final int exp, final byte[] o) {
            if (writtenByRequest(key)) {
                return Written.INSTANCE;
            }
            // msm 2.3.2 keeps a probe for the stored session's size but nothing registers it
            // on this path: the kit records each session write's size (Manager getMsmKitSessionBytes*).
            if (o != null && isSessionData(key)) {
                _service.getStatistics().register(Statistics.StatsType.CACHED_DATA_SIZE, o.length);
            }
            return new WriteFailureRecorder(_delegate.set(key, exp, o));
        }

        @Override
        public Future<Boolean> delete(final String key) {
            return _delegate.delete(key);
        }

        @Override
        public void shutdown() {
            _delegate.shutdown();
        }
    }
}
