{#- The etcd-snapshot kube-addon: with enable_etcd_snapshot, renders addons/etcd-snapshot/* (served as
    salt://etcd-snapshot/) into the addon manager's directory; without, removes that directory. A pillar mistake
    fails this state and writes nothing. -#}
{%- from "kubernetes/map.jinja" import snapshot with context %}
{#- One writer of the snapshot volume: the CronJob's Jobs, or in continuous mode the journal's Deployment, which takes
    the full snapshots itself. The file of the other is cleaned out of the directory below, and the addon manager
    prunes its object. #}
{%- set workload = 'deployment.yaml' if snapshot.continuous.enabled else 'cronjob.yaml' %}
{%- set manifests = ['rbac.yaml', 'configmap.yaml', 'pvc.yaml', workload] %}
{%- if snapshot.default_storage_class %}
{%-   do manifests.append('storageclass.yaml') %}
{%- endif %}
{%- if snapshot.prometheus_rule %}
{%-   do manifests.append('prometheusrule.yaml') %}
{%- endif %}

{%- if not snapshot.enabled %}
etcd-snapshot-addon:
  file.absent:
    - name: {{ snapshot.addon_dir }}

{%- elif snapshot.errors %}
etcd-snapshot-addon:
  test.fail_without_changes:
    - comment: {{ ('etcd snapshot pillar: ' ~ snapshot.errors|join('; '))|json }}

{%- else %}
{%-   for manifest in manifests %}
etcd-snapshot-addon-{{ manifest }}:
  file.managed:
    - name: {{ snapshot.addon_dir }}/{{ manifest }}
    - source: salt://etcd-snapshot/{{ manifest }}
    - template: jinja
    - makedirs: True
    - mode: '0644'
    - context:
        snapshot: {{ snapshot|json }}
{%-   endfor %}

# Keeps only the manifests above, so turning enable_default_storage_class off removes the StorageClass file, and
# switching continuous mode on or off removes the CronJob's or the Deployment's.
etcd-snapshot-addon:
  file.directory:
    - name: {{ snapshot.addon_dir }}
    - clean: True
    - require:
{%-   for manifest in manifests %}
      - file: etcd-snapshot-addon-{{ manifest }}
{%-   endfor %}
{%- endif %}
