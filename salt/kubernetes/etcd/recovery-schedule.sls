{#- Automatic recovery on or off (etcd_recovery:enabled): a Salt schedule job on this master applying
    kubernetes.etcd.member-recovered every etcd_recovery:interval_seconds, one run at a time; removed when disabled.
    The job lives in the salt-minion daemon, which applying this talks to: the daemon must be running. -#}
{%- from "kubernetes/map.jinja" import etcd, replace, recovery with context %}
{%- set errors = [] %}
{%- if recovery.enabled %}
{%-   for what, found in [('etcd', etcd.errors), ('etcd_replace', replace.errors), ('etcd_recovery', recovery.errors)]
        if found %}
{%-     do errors.append(what ~ ' pillar: ' ~ found|join('; ')) %}
{%-   endfor %}
{%- endif %}

{%- if errors %}

etcd-recovery-schedule:
  test.fail_without_changes:
    - comment: {{ (errors|join('; ') ~ '; the schedule was left as it was')|json }}

{%- elif recovery.enabled %}

etcd-recovery-schedule:
  schedule.present:
    - name: etcd-snapshotter-member-recovery
    - function: state.apply
    - job_args:
      - kubernetes.etcd.member-recovered
    - seconds: {{ recovery.interval_seconds|int }}
    - maxrunning: 1

{%- else %}

etcd-recovery-schedule:
  schedule.absent:
    - name: etcd-snapshotter-member-recovery

{%- endif %}
