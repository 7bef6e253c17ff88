{#- Everything a master runs: what the restore runbook's last step applies to all masters. -#}
include:
  - kubernetes.etcd.configured
  - kubernetes.etcd.snapshot-addon
  - kubernetes.etcd.recovery-schedule
