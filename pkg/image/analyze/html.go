package analyze

import (
	"encoding/json"
	"html/template"
	"io"
)

// HTML writes a self-contained report: no network, inline CSS and script,
// a treemap of the final filesystem and a chart of the layers.
func HTML(w io.Writer, r *Result) error {
	type layerJS struct {
		Index       int    `json:"index"`
		Digest      string `json:"digest"`
		Size        int64  `json:"size"`
		Added       int64  `json:"added"`
		Reclaimable int64  `json:"reclaimable"`
		Files       int    `json:"files"`
		CreatedBy   string `json:"createdBy"`
	}
	data := struct {
		Image             string        `json:"image"`
		Digest            string        `json:"digest"`
		SizeBytes         int64         `json:"sizeBytes"`
		Efficiency        float64       `json:"efficiency"`
		WastedBytes       int64         `json:"wastedBytes"`
		UserWastedPercent float64       `json:"userWastedPercent"`
		ReclaimableBytes  int64         `json:"reclaimableBytes"`
		SquashedBytes     int64         `json:"squashedBytes"`
		FileCount         int           `json:"fileCount"`
		Layers            []layerJS     `json:"layers"`
		Inefficient       []Inefficient `json:"inefficient"`
		Findings          []string      `json:"findings"`
		Tree              *TreeNode     `json:"tree"`
	}{Image: r.Image, Digest: r.Digest, SizeBytes: r.SizeBytes, Efficiency: r.Efficiency, WastedBytes: r.WastedBytes,
		UserWastedPercent: r.UserWastedPercent, ReclaimableBytes: r.ReclaimableBytes, SquashedBytes: r.SquashedBytes,
		FileCount: r.FileCount, Tree: r.Tree}
	for _, l := range r.Layers {
		cb := l.CreatedBy
		if l.Instruction != nil {
			cb = l.Instruction.Text
		}
		data.Layers = append(data.Layers, layerJS{l.Index, l.Digest, l.SizeBytes, l.AddedBytes, l.ReclaimableBytes, l.Files, cb})
	}
	data.Inefficient = r.InefficientFiles
	if len(data.Inefficient) > 50 {
		data.Inefficient = data.Inefficient[:50]
	}
	for _, f := range r.Findings {
		data.Findings = append(data.Findings, f.RuleID+": "+f.Message)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return htmlTmpl.Execute(w, struct {
		Title string
		Data  template.JS
	}{r.Image, template.JS(b)})
}

var htmlTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>slimship analyze: {{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
.muted{color:#777;font-size:12px;word-break:break-all}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:20px}
#treemap{position:relative;width:100%;height:480px;background:#fff;border:1px solid #ccc;overflow:hidden}
.tm{position:absolute;box-sizing:border-box;border:1px solid #fff;overflow:hidden;font-size:11px;color:#fff;padding:1px 3px;white-space:nowrap;cursor:pointer}
table{border-collapse:collapse;background:#fff;width:100%} td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.b{white-space:nowrap} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{height:12px;background:#4a78c2;display:inline-block;vertical-align:middle}
.bar.w{background:#d9534f}
#crumbs{margin:4px 0;font-size:12px} #crumbs a{color:#4a78c2;cursor:pointer}
</style></head><body>
<h1>slimship analyze</h1>
<div class="muted" id="image"></div>
<div class="cards">
<div class="card">size<b id="size"></b></div>
<div class="card">efficiency<b id="efficiency"></b></div>
<div class="card">wasted<b id="wasted"></b></div>
<div class="card">user wasted<b id="userwasted"></b></div>
<div class="card">reclaimable<b id="reclaimable"></b></div>
<div class="card">files<b id="files"></b></div>
</div>
<h2>Layers</h2>
<table id="layers"><thead><tr><th>#</th><th>size</th><th></th><th>wasted later</th><th>files</th><th>created by</th></tr></thead><tbody></tbody></table>
<h2>Filesystem</h2>
<div id="crumbs"></div>
<div id="treemap"></div>
<h2>Inefficient files</h2>
<table id="ineff"><thead><tr><th>count</th><th>wasted</th><th>path</th></tr></thead><tbody></tbody></table>
<h2>Waste</h2>
<ul id="findings"></ul>
<script id="data" type="application/json">{{.Data}}</script>
<script>
(function(){
"use strict";
var D=JSON.parse(document.getElementById("data").textContent);
function human(n){var u=["B","kB","MB","GB","TB"],i=0;while(n>=1000&&i<u.length-1){n/=1000;i++}return (i?n.toFixed(1):n)+" "+u[i]}
function el(t,txt,cls){var e=document.createElement(t);if(txt!==undefined)e.textContent=txt;if(cls)e.className=cls;return e}
function set(id,v){document.getElementById(id).textContent=v}
set("image",D.image+(D.digest?"  "+D.digest:""));
set("size",human(D.sizeBytes));set("efficiency",(D.efficiency*100).toFixed(4)+" %");
set("wasted",human(D.wastedBytes));set("userwasted",(D.userWastedPercent*100).toFixed(2)+" %");
set("reclaimable",human(D.reclaimableBytes));set("files",String(D.fileCount));
var max=1;(D.layers||[]).forEach(function(l){if(l.size>max)max=l.size});
var tb=document.querySelector("#layers tbody");
(D.layers||[]).forEach(function(l){var tr=el("tr");tr.appendChild(el("td",String(l.index)));
 tr.appendChild(el("td",human(l.size),"n"));var td=el("td","","b");var b=el("span","","bar");b.style.width=Math.max(1,Math.round(200*l.size/max))+"px";td.appendChild(b);
 if(l.reclaimable>0){var w=el("span","","bar w");w.style.width=Math.max(1,Math.round(200*l.reclaimable/max))+"px";td.appendChild(w)}
 tr.appendChild(td);tr.appendChild(el("td",l.reclaimable?human(l.reclaimable):"-","n"));tr.appendChild(el("td",String(l.files),"n"));
 tr.appendChild(el("td",l.createdBy||""));tb.appendChild(tr)});
var ib=document.querySelector("#ineff tbody");
(D.inefficient||[]).forEach(function(f){if(!f.wastedBytes)return;var tr=el("tr");tr.appendChild(el("td",String(f.count),"n"));tr.appendChild(el("td",human(f.wastedBytes),"n"));tr.appendChild(el("td",f.path));ib.appendChild(tr)});
var fl=document.getElementById("findings");(D.findings||[]).forEach(function(f){fl.appendChild(el("li",f))});
if(!(D.findings||[]).length)fl.appendChild(el("li","no known waste"));
var colors=["#4a78c2","#5b9a68","#c27a4a","#8a5bb0","#b0485b","#3e9aa6","#9a8a3e","#6a6a6a"];
var box=document.getElementById("treemap");
function squarify(items,x,y,w,h,out){
 if(!items.length)return;var total=0;items.forEach(function(i){total+=i.s});if(total<=0)return;
 var scale=w*h/total,row=[],rest=items.slice();
 function worst(r,side){var s=0,mx=0,mn=Infinity;r.forEach(function(i){var a=i.s*scale;s+=a;mx=Math.max(mx,a);mn=Math.min(mn,a)});
  return Math.max(side*side*mx/(s*s),(s*s)/(side*side*mn))}
 while(rest.length){var side=Math.min(w,h);var c=rest[0];
  if(!row.length||worst(row.concat([c]),side)<=worst(row,side)){row.push(c);rest.shift();continue}
  var r=layout(row,x,y,w,h,scale,out);x=r[0];y=r[1];w=r[2];h=r[3];row=[]}
 if(row.length)layout(row,x,y,w,h,scale,out)}
function layout(row,x,y,w,h,scale,out){var s=0;row.forEach(function(i){s+=i.s*scale});
 if(w>=h){var cw=s/h,cy=y;row.forEach(function(i){var ch=i.s*scale/cw;out.push([i,x,cy,cw,ch]);cy+=ch});return [x+cw,y,w-cw,h]}
 var rh=s/w,cx=x;row.forEach(function(i){var iw=i.s*scale/rh;out.push([i,cx,y,iw,rh]);cx+=iw});return [x,y+rh,w,h-rh]}
var stack=[];
function cells(node,x,y,w,h,depth,out){var kids=(node.c||[]).filter(function(k){return k.s>0}).sort(function(a,b){return b.s-a.s});
 var placed=[];squarify(kids,x,y,w,h,placed);
 placed.forEach(function(o){out.push([o[0],o[1],o[2],o[3],o[4],depth]);var k=o[0];
  if(depth<3&&k.c&&k.c.length&&o[3]>48&&o[4]>36)cells(k,o[1]+2,o[2]+15,o[3]-4,o[4]-17,depth+1,out)})}
function draw(node){box.textContent="";var out=[];cells(node,0,0,box.clientWidth||960,box.clientHeight||480,0,out);
 out.forEach(function(o){var k=o[0],d=el("div",k.n+" "+human(k.s),"tm");d.style.left=o[1]+"px";d.style.top=o[2]+"px";d.style.width=o[3]+"px";d.style.height=o[4]+"px";
  d.style.background=k.l<0?"#aaa":colors[(k.l||0)%colors.length];d.style.filter="brightness("+(1+0.12*o[5])+")";d.style.zIndex=String(o[5]);
  d.title=k.n+": "+human(k.s)+(k.l>=0?" (layer "+k.l+")":"");
  if(k.c&&k.c.length)d.onclick=function(e){e.stopPropagation();stack.push(k);draw(k)};box.appendChild(d)});
 var cr=document.getElementById("crumbs");cr.textContent="";var path=[D.tree].concat(stack);
 path.forEach(function(p,i){var a=el("a",i?p.n:"/");a.onclick=function(){stack=stack.slice(0,i);draw(path[i])};cr.appendChild(a);if(i<path.length-1)cr.appendChild(document.createTextNode(" / "))});
 cr.appendChild(document.createTextNode("  (click to zoom; colour = layer that wrote it)"));
 box.setAttribute("data-cells",String(out.length))}
if(D.tree)draw(D.tree);
document.body.setAttribute("data-rendered","true");
})();
</script></body></html>
`))
