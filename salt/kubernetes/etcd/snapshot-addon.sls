{#- The etcd-snapshot kube-addon: with enable_etcd_snapshot, renders addons/etcd-snapshot/* (served as
    salt://etcd-snapshot/) into the addon manager's directory; without, removes that directory. A pillar mistake
    fails this state and writes nothing. -#}
{%- from "kubernetes/map.jinja" import snapshot with context %}
{%- set manifests = ['rbac.yaml', 'configmap.yaml', 'pvc.yaml', 'cronjob.yaml'] %}
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

# Keeps only the manifests above, so turning enable_default_storage_class off removes the StorageClass file.
etcd-snapshot-addon:
  file.directory:
    - name: {{ snapshot.addon_dir }}
    - clean: True
    - require:
{%-   for manifest in manifests %}
      - file: etcd-snapshot-addon-{{ manifest }}
{%-   endfor %}
{%- endif %}
