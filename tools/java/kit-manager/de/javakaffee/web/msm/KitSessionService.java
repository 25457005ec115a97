package de.javakaffee.web.msm;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * The other half: a request in flight when the node dies fails to store its session (or its
 * validity info) there. msm writes the backup copy on its secondary backup thread, after the
 * response, and not at all when the validity write fails; so the session's next request can
 * read a backup without that update. Here (with synchronous backups, what non-sticky labs
 * use) any failed write of the request writes the backup copy before the response leaves.
 *
 * A read that finds nothing on a node that answers is a real "no such session" and stays
 * one. Sticky mode needs none of this (the session lives in its Tomcat) and is unchanged.
 *
 * Lives in msm's package because msm keeps the nodes manager package-private; it is loaded
 * by the same class loader as msm (both in $CATALINA_HOME/lib), so that access is legal.
 */
public class KitSessionService extends MemcachedSessionService {

    /** Whether a storage read failed on this thread since the last {@link #findSession} began. */
    private static final ThreadLocal<Boolean> READ_FAILED = new ThreadLocal<Boolean>();
    /** Whether a storage write this thread waited for failed since the last {@link #backupSession} began. */
    private static final ThreadLocal<Boolean> WRITE_FAILED = new ThreadLocal<Boolean>();

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
        return storage == null ? null : new ReadFailureRecorder(storage);
    }

    @Override
    public MemcachedBackupSession findSession(final String id) throws IOException {
        READ_FAILED.remove();
        final MemcachedBackupSession found = super.findSession(id);
        final boolean readFailed = READ_FAILED.get() != null;
        READ_FAILED.remove();
        if (found != null || id == null || !readFailed || isSticky()) {
            return found;
        }
        return loadBackupAfterFailedRead(id);
    }

    @Override
    public Future<BackupResult> backupSession(final String sessionId, final boolean sessionIdChanged, final String requestId) {
        final MemcachedBackupSession session = isSticky() || isSessionBackupAsync() ? null : _manager.getSessionInternal(sessionId);
        WRITE_FAILED.remove();
        final Future<BackupResult> result = super.backupSession(sessionId, sessionIdChanged, requestId);
        final boolean writeFailed = WRITE_FAILED.get() != null;
        WRITE_FAILED.remove();
        if (session != null && getMemcachedNodesManager().getCountNodes() > 1) {
            storeBackupAfterFailedStore(session, result, writeFailed);
        }
        return result;
    }

    /** A write to the primary failed: write the backup copy (session and validity) now, in the request. */
    private void storeBackupAfterFailedStore(final MemcachedBackupSession session, final Future<BackupResult> result, final boolean writeFailed) {
        final long timeout = getSessionBackupTimeout();
        try {
            final BackupResult backup = result.get(timeout, TimeUnit.MILLISECONDS);
            if (backup.getStatus() == BackupResultStatus.SKIPPED || backup.getData() == null) {
                return;
            }
            if (backup.getStatus() != BackupResultStatus.FAILURE && !writeFailed) {
                return;
            }
            final SessionIdFormat format = getMemcachedNodesManager().getSessionIdFormat();
            final String id = session.getIdInternal();
            final int maxInactive = session.getMaxInactiveInterval();
            final byte[] validity = SessionValidityInfo.encode(maxInactive, session.getLastAccessedTimeInternal(), session.getThisAccessedTimeInternal());
            final StorageClient storage = getStorageClient();
            final Future<Boolean> data = storage.set(format.createBackupKey(id), MemcachedUtil.toMemcachedExpiration(session.getMemcachedExpirationTimeToSet()), backup.getData());
            final Future<Boolean> valid = storage.set(format.createBackupKey(format.createValidityInfoKeyName(id)), MemcachedUtil.toMemcachedExpiration(maxInactive <= 0 ? 0 : maxInactive), validity);
            data.get(timeout, TimeUnit.MILLISECONDS);
            valid.get(timeout, TimeUnit.MILLISECONDS);
            _log.info("msm-kit: storing session " + id + " (or its validity info) on its primary node failed; its backup copy was written before the response");
        } catch (final Exception e) {
            _log.warn("msm-kit: storing session " + session.getIdInternal() + " failed on its primary node and its backup copy could not be written either: " + e);
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

    /** A write's result; records on the thread that waits for it that the write failed. */
    private static final class WriteFailureRecorder implements Future<Boolean> {
        private final Future<Boolean> _delegate;

        WriteFailureRecorder(final Future<Boolean> delegate) {
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

    /** Passes every call through; records on the calling thread that a read failed (and, through its results, a write). */
    private static final class ReadFailureRecorder implements StorageClient {
        private final StorageClient _delegate;

        ReadFailureRecorder(final StorageClient delegate) {
            _delegate = delegate;
        }

        @Override
        public byte[] get(final String key) {
            try {
                return _delegate.get(key);
            } catch (final RuntimeException e) {
                READ_FAILED.set(Boolean.TRUE);
                throw e;
            }
        }

        @Override
        public Future<Boolean> add(final String key, final int exp, final byte[] o) {
            return _delegate.add(key, exp, o);
        }

        @Override
        public Future<Boolean> set(final String key, final int exp, final byte[] o) {
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
