package de.javakaffee.web.msm;

import de.javakaffee.web.msm.Statistics.MinMaxAvgProbe;

/**
 * msm's timing and size probes as numbers, written for msm-kit.
 *
 * msm keeps count, min, average and max of each probe (session backup time, load time,
 * serialized session size) but shows them only as text ("Count = 5", "Avg = 3.2") through
 * the Manager's msmStat*Info getters, which a metrics exporter cannot read; the probe's own
 * number getters are package-private. This class lives in msm's package (loaded by the same
 * class loader as msm, both in $CATALINA_HOME/lib) to read them.
 */
public final class KitProbes {

    private KitProbes() {
    }

    /** How many values the probe registered since the Tomcat started. */
    public static long count(final MinMaxAvgProbe probe) {
        return probe.getCount();
    }

    /** The average value, 0 before the first one. */
    public static double avg(final MinMaxAvgProbe probe) {
        return probe.getCount() == 0 ? 0 : probe.getAvg();
    }

    /** The largest value, 0 before the first one. */
    public static long max(final MinMaxAvgProbe probe) {
        return probe.getCount() == 0 ? 0 : probe.getMax();
    }
}
