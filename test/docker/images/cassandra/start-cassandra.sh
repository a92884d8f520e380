#!/bin/bash
# Starts one Cassandra node in the foreground. Heap from MAX_HEAP_SIZE (default 1G, the cap).
set -euo pipefail
address=$(hostname -i | awk '{print $1}')
sed -e "s/__ADDRESS__/$address/g" \
    -e "s/__BROADCAST_RPC__/${CASSANDRA_BROADCAST_RPC_ADDRESS:-127.0.0.1}/g" \
    -e "s/__CLUSTER_NAME__/${CASSANDRA_CLUSTER_NAME:-Test Cluster}/g" \
    /etc/cassandra/cassandra.yaml > /var/lib/cassandra/cassandra.yaml
mkdir -p /var/lib/cassandra/triggers
heap=${MAX_HEAP_SIZE:-1G}
# the module opens Cassandra needs on Java 17 (see Cassandra's conf/jvm17-server.options)
jpms=(
  -Djdk.attach.allowAttachSelf=true
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/java.lang.ref=ALL-UNNAMED
  --add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED
  --add-exports=java.sql/java.sql=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.module=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.loader=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.math=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.module=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED
  --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED
  -Dio.netty.tryReflectionSetAccessible=true
  -XX:+ExitOnOutOfMemoryError
)
# shellcheck disable=SC2086
exec java "${jpms[@]}" -Xms"$heap" -Xmx"$heap" -Xss256k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dcassandra-foreground=yes \
  -Dcassandra.config=file:///var/lib/cassandra/cassandra.yaml \
  -Dcassandra.storagedir=/var/lib/cassandra \
  -Dcassandra.logdir=/var/lib/cassandra/logs \
  -Dlogback.configurationFile=/etc/cassandra/logback.xml \
  -Dcassandra.skip_wait_for_gossip_to_settle=0 \
  -Dcassandra.ring_delay_ms=1000 \
  -Dcassandra.triggers_dir=/var/lib/cassandra/triggers \
  ${JVM_EXTRA_OPTS:-} \
  -cp "/opt/cassandra/lib/*" org.apache.cassandra.service.CassandraDaemon
